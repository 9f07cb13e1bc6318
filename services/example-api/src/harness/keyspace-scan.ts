import type { RedisClient } from '@freshen/cache';
import { Cluster, type Redis } from 'ioredis';

/**
 * Every key matching `pattern`. SCAN walks one server's keys, so on Redis Cluster each master
 * is scanned (a replica holds copies of its master's keys, not others).
 */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const servers: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
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
