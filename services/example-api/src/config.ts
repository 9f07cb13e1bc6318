import {
  boolean,
  ConfigError,
  integer,
  oneOf,
  OPS_HOST_OPTION,
  readConfig,
  redisTargetOf,
  REDIS_TARGET_OPTIONS,
  type RedisTarget,
  string,
  url,
  withStackEnv,
  type Env,
} from '@freshen/config';
import { MINUTE } from '@freshen/runtime';

/** Every setting of the example API: variable name, default and meaning side by side. */
export const CONFIG_SCHEMA = {
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
    doc: 'Postgres holding the example schema; writes go straight here.',
  }),
  PG_SCHEMA: string({
    default: 'public',
    pattern: /^[a-z_][a-z0-9_]*$/,
    expected: 'a lowercase Postgres schema name',
    doc: 'Schema of the example tables (users, teams, team_members, products, orders).',
  }),
  PG_POOL_SIZE: integer({
    default: 10,
    min: 1,
    max: 1000,
    doc: 'Postgres connections in the pool.',
  }),
  ...REDIS_TARGET_OPTIONS,
  KEY_PREFIX: string({
    default: 'app',
    pattern: /^[a-z0-9_-]+$/,
    expected: 'letters a-z, digits, _ or -',
    doc: 'Keyspace prefix of the example keys; the invalidator rules must use the same one.',
  }),
  CACHE_TTL_MS: integer({ default: 5 * MINUTE, min: 1, doc: 'TTL of values this API fills.' }),
  CACHE_LEASES: boolean({
    default: true,
    doc: 'Fill leases. false turns them off to demonstrate the stale-fill race; never in production.',
  }),
  NEAR_CACHE: boolean({
    default: true,
    doc: 'Keep hot example values in process too (the cache option nearCache, invalidated by Redis CLIENT TRACKING).',
  }),
  NEAR_CACHE_TTL_MS: integer({
    default: 30_000,
    min: 1,
    doc: 'How long a near copy is served without asking Redis; at most CACHE_TTL_MS.',
  }),
  PORT: integer({
    default: 8080,
    min: 0,
    max: 65_535,
    doc: 'HTTP port of the API (0 picks a free one).',
  }),
  METRICS_PORT: integer({
    default: 9465,
    min: 0,
    max: 65_535,
    doc: 'Port of /metrics, /healthz and /readyz (0 picks a free one).',
  }),
  OPS_HOST: OPS_HOST_OPTION,
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
    doc: 'pino log level.',
  }),
};

export interface ApiConfig {
  databaseUrl: string;
  pgSchema: string;
  pgPoolSize: number;
  redis: RedisTarget;
  keyPrefix: string;
  cacheTtlMs: number;
  cacheLeases: boolean;
  /** nearCache TTL in ms, or undefined when NEAR_CACHE=false. */
  nearCacheTtlMs: number | undefined;
  port: number;
  metricsPort: number;
  opsHost: string;
  logLevel: string;
}

/**
 * Reads and validates the configuration once, at start. The local stack's `.stack/env` fills
 * variables that are not set (development); set variables always win.
 */
export function readApiConfig(env: Env = withStackEnv(process.env, process.cwd())): ApiConfig {
  const raw = readConfig(CONFIG_SCHEMA, env);
  const redis = redisTargetOf(raw);
  if ('problem' in redis) throw new ConfigError([redis.problem]);
  if (raw.NEAR_CACHE && raw.NEAR_CACHE_TTL_MS > raw.CACHE_TTL_MS) {
    throw new ConfigError([
      `NEAR_CACHE_TTL_MS=${raw.NEAR_CACHE_TTL_MS} exceeds CACHE_TTL_MS=${raw.CACHE_TTL_MS}: a near copy may not outlive the Redis value; lower NEAR_CACHE_TTL_MS`,
    ]);
  }
  return {
    databaseUrl: raw.DATABASE_URL,
    pgSchema: raw.PG_SCHEMA,
    pgPoolSize: raw.PG_POOL_SIZE,
    redis: redis.target,
    keyPrefix: raw.KEY_PREFIX,
    cacheTtlMs: raw.CACHE_TTL_MS,
    cacheLeases: raw.CACHE_LEASES,
    nearCacheTtlMs: raw.NEAR_CACHE ? raw.NEAR_CACHE_TTL_MS : undefined,
    port: raw.PORT,
    metricsPort: raw.METRICS_PORT,
    opsHost: raw.OPS_HOST,
    logLevel: raw.LOG_LEVEL,
  };
}
