import { leaseKeyFor, versionKeyFor } from '@freshen/keys';
import type { Redis } from 'ioredis';

/**
 * Exactly what the invalidator does for a delete action (contract: "UNLINK key,
 * leaseKeyFor(key), versionKeyFor(key)"), so cache tests replay an invalidation without
 * running the pipeline.
 */
export async function invalidatorDelete(redis: Redis, key: string): Promise<void> {
  await redis.unlink(key, leaseKeyFor(key), versionKeyFor(key));
}

/**
 * The invalidator's refresh as the contract states it, minus the version comparison the
 * cache does not depend on: SET key value PX ttl, SET version PX ttl, DEL the lease.
 */
export async function invalidatorRefresh(
  redis: Redis,
  key: string,
  value: string,
  ttlMs: number,
  version: string,
): Promise<void> {
  await redis
    .multi()
    .set(key, value, 'PX', ttlMs)
    .set(versionKeyFor(key), version, 'PX', ttlMs)
    .del(leaseKeyFor(key))
    .exec();
}
