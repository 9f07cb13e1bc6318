import type { RedisClient } from '@freshen/cache';
import { Cluster, type Redis } from 'ioredis';

/**
 * Every key matching `pattern`. SCAN walks one server's keys, so on Redis Cluster each master
 * is scanned (a replica holds copies of its master's keys, not others).
 */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const servers: Redis[] = redis instanceof Cluster ? await mastersOf(redis) : [redis];
  const found: string[] = [];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, batch] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

/**
 * The cluster's masters. A new Cluster client knows none until it has loaded the slot map, and
 * a SCAN of no server would find nothing: wait for it to be ready first.
 */
async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Redis Cluster not ready after 10 s (status ${cluster.status})`)),
        10_000,
      );
      cluster.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  const masters = cluster.nodes('master');
  if (masters.length === 0) throw new Error('Redis Cluster client knows no master to scan');
  return masters;
}
