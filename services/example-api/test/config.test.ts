import { ConfigError, unlistedVariables } from '@freshen/config';
import { CONFIG_SCHEMA, readApiConfig } from '../src/config.ts';

const base = { DATABASE_URL: 'postgres://u@db:5432/app' };

describe('readApiConfig', () => {
  it('fills defaults', () => {
    expect(readApiConfig(base)).toEqual({
      databaseUrl: base.DATABASE_URL,
      pgSchema: 'public',
      pgPoolSize: 10,
      redis: { url: 'redis://127.0.0.1:6379' },
      keyPrefix: 'app',
      cacheTtlMs: 300_000,
      cacheLeases: true,
      nearCacheTtlMs: 30_000,
      port: 8080,
      metricsPort: 9465,
      opsHost: '0.0.0.0',
      logLevel: 'info',
    });
  });

  it('reads a cluster and explicit settings', () => {
    const config = readApiConfig({
      ...base,
      REDIS_MODE: 'cluster',
      REDIS_CLUSTER_NODES: 'r1:7000,r2:7001',
      PG_SCHEMA: 'shop',
      KEY_PREFIX: 'shop',
      CACHE_LEASES: 'false',
      NEAR_CACHE: 'false',
      PORT: '0',
    });
    expect(config).toMatchObject({
      redis: {
        clusterNodes: [
          { host: 'r1', port: 7000 },
          { host: 'r2', port: 7001 },
        ],
      },
      pgSchema: 'shop',
      keyPrefix: 'shop',
      cacheLeases: false,
      nearCacheTtlMs: undefined,
      port: 0,
    });
  });

  it('refuses a near-cache TTL longer than the Redis TTL', () => {
    expect(() =>
      readApiConfig({ ...base, CACHE_TTL_MS: '1000', NEAR_CACHE_TTL_MS: '2000' }),
    ).toThrow(/NEAR_CACHE_TTL_MS=2000 exceeds CACHE_TTL_MS=1000/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      readApiConfig({ PG_SCHEMA: 'Bad-Schema', KEY_PREFIX: 'a:b', PORT: '99999' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    for (const name of ['DATABASE_URL', 'PG_SCHEMA', 'KEY_PREFIX', 'PORT'])
      expect(text).toContain(name);
  });

  it('needs cluster nodes in cluster mode', () => {
    expect(() => readApiConfig({ ...base, REDIS_MODE: 'cluster' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('declares only variables that every Freshen process accepts (packages/config known list)', () => {
    expect(unlistedVariables(Object.keys(CONFIG_SCHEMA))).toEqual([]);
  });
});
