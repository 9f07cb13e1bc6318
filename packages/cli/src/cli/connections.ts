import { redactUrl, type RedisTarget } from '@freshen/config';
import { connectRedis as connectRedisClient, type RedisClient } from '@freshen/redis-client';
import { FreshenError, SECOND } from '@freshen/runtime';
import pg from 'pg';

/**
 * Connects to Postgres, or throws POSTGRES_UNAVAILABLE naming the (redacted) URL: a command
 * that cannot reach its database says so in one line and exits 3.
 */
export async function connectPostgres(
  databaseUrl: string,
  options: Omit<pg.ClientConfig, 'connectionString'> = {},
): Promise<pg.Client> {
  const db = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5 * SECOND,
    ...options,
  });
  try {
    await db.connect();
  } catch (error) {
    await db.end().catch(() => {});
    throw new FreshenError(
      'POSTGRES_UNAVAILABLE',
      `cannot connect to Postgres at ${redactUrl(databaseUrl)}: ${(error as Error).message}; check DATABASE_URL`,
      { cause: error },
    );
  }
  return db;
}

/**
 * A ready Redis client (standalone, Cluster or Sentinel, with TLS and the ACL user of the
 * REDIS_* settings), or REDIS_UNAVAILABLE / REDIS_REFUSED with one line naming what is wrong.
 */
export function connectRedis(target: RedisTarget): Promise<RedisClient> {
  return connectRedisClient(target, {
    node: { maxRetriesPerRequest: 2, connectTimeout: 5 * SECOND },
    readyTimeoutMs: 5 * SECOND,
  });
}
