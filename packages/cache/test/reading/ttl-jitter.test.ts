import { jitteredTtl } from '../../src/reading/ttl-jitter.ts';

describe('jitteredTtl', () => {
  it('only shortens, by at most the jitter fraction', () => {
    expect(jitteredTtl(10_000, 0.1, () => 0)).toBe(10_000);
    expect(jitteredTtl(10_000, 0.1, () => 0.999999)).toBe(9_000);
    expect(jitteredTtl(10_000, 0.1, () => 0.5)).toBe(9_500);
  });

  it('spreads TTLs of keys filled together', () => {
    const ttls = new Set(Array.from({ length: 100 }, () => jitteredTtl(60_000, 0.1)));
    expect(ttls.size).toBeGreaterThan(50);
    for (const ttl of ttls) expect(ttl).toBeGreaterThanOrEqual(54_000);
  });

  it('never returns less than 1 ms, and 0 jitter leaves the TTL alone', () => {
    expect(jitteredTtl(1, 0.9, () => 0.999)).toBe(1);
    expect(jitteredTtl(5_000, 0, () => 0.7)).toBe(5_000);
  });
});
