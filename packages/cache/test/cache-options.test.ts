import { DEFAULT_CACHE_OPTIONS, resolveCacheOptions } from '../src/cache-options.ts';

describe('resolveCacheOptions', () => {
  it('fills defaults and keeps what is given', () => {
    const resolved = resolveCacheOptions({ ttlMs: 1000, leases: false });
    expect(resolved).toEqual({ ...DEFAULT_CACHE_OPTIONS, ttlMs: 1000, leases: false });
  });

  it('rejects values that cannot work, naming the option', () => {
    expect(() => resolveCacheOptions({ ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => resolveCacheOptions({ leaseTtlMs: -1 })).toThrow(/leaseTtlMs/);
    expect(() => resolveCacheOptions({ ttlJitter: 1 })).toThrow(/ttlJitter/);
    expect(() => resolveCacheOptions({ earlyRefreshBeta: -1 })).toThrow(/earlyRefreshBeta/);
  });
});
