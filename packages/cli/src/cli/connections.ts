import { redactUrl, type RedisTarget } from '@freshen/config';
import { FreshenError, SECOND } from '@freshen/runtime';
import { Cluster, Redis } from 'ioredis';
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

/** A Redis client that has answered PING, or REDIS_UNAVAILABLE naming where it looked. */
export async function connectRedis(target: RedisTarget): Promise<Redis | Cluster> {
  const where =
    'url' in target
      ? redactUrl(target.url)
      : target.clusterNodes.map((node) => `${node.host}:${node.port}`).join(',');
  const redis =
    'url' in target
      ? new Redis(target.url, {
          lazyConnect: true,
          maxRetriesPerRequest: 2,
          connectTimeout: 5 * SECOND,
          retryStrategy: (attempt) => (attempt > 3 ? null : 200),
        })
      : new Cluster(target.clusterNodes, {
          lazyConnect: true,
          redisOptions: { maxRetriesPerRequest: 2, connectTimeout: 5 * SECOND },
          clusterRetryStrategy: (attempt) => (attempt > 3 ? null : 200),
        });
  redis.on('error', () => {}); // reported once, below, by the failing command
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new FreshenError(
      'REDIS_UNAVAILABLE',
      `cannot reach Redis at ${where}: ${(error as Error).message}; check REDIS_URL (or REDIS_MODE=cluster and REDIS_CLUSTER_NODES)`,
      { cause: error },
    );
  }
  return redis;
}
