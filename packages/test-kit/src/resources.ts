import type { CloseList } from '@freshen/runtime';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { stackSettings } from './stack.ts';
import { uniqueName } from './unique-name.ts';

/** A connected pg client to the stack's database, closed by `cleanup`. */
export async function newPgClient(cleanup: CloseList): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stackSettings().databaseUrl });
  await client.connect();
  cleanup.add('pg client', () => client.end());
  return client;
}

/**
 * A fresh schema, dropped with everything in it by `cleanup`. Tests create their tables in
 * their own schema so parallel test files never see each other's rows.
 */
export async function newSchema(
  cleanup: CloseList,
  db: pg.Client,
  prefix = 'test',
): Promise<string> {
  const schema = uniqueName(prefix);
  await db.query(`create schema ${schema}`);
  cleanup.add(`drop schema ${schema}`, () => db.query(`drop schema if exists ${schema} cascade`));
  return schema;
}

/**
 * A Redis client to the stack's standalone server, closed by `cleanup`. Tests use a unique
 * key prefix (uniqueName) instead of FLUSHDB, so parallel files never disturb each other.
 */
export function newRedis(cleanup: CloseList): Redis {
  const redis = new Redis(stackSettings().redisUrl, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
  });
  cleanup.add('redis client', () => redis.quit());
  return redis;
}

/** A client of the stack's three-master Redis Cluster, closed by `cleanup`. */
export function newRedisCluster(cleanup: CloseList): Cluster {
  const cluster = new Cluster(stackSettings().redisClusterNodes, {
    redisOptions: { maxRetriesPerRequest: 2 },
  });
  cleanup.add('redis cluster client', () => cluster.quit());
  return cluster;
}

/** Both Redis topologies Freshen supports, for `describe.each`: [name, connect]. */
export function redisTopologies(cleanup: CloseList): [string, () => Redis | Cluster][] {
  return [
    ['a single Redis', () => newRedis(cleanup)],
    ['Redis Cluster', () => newRedisCluster(cleanup)],
  ];
}

/** Deletes every key starting with `prefix` (SCAN, never KEYS). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
