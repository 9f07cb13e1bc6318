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
