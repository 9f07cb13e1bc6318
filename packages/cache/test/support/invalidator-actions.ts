import { leaseKeyFor, versionKeyFor, withCompanions } from '@freshen/keys';
import { refreshIfNewer } from '@freshen/storage';
import type { Redis } from 'ioredis';

/**
 * Exactly what the invalidator does for a delete action (UNLINK the key with its companions),
 * so cache tests replay an invalidation without running the pipeline.
 */
export async function invalidatorDelete(redis: Redis, key: string): Promise<void> {
  await redis.unlink(...withCompanions(key));
}

/** The invalidator's refresh: the same script of @freshen/storage it runs. */
export async function invalidatorRefresh(
  redis: Redis,
  key: string,
  value: string,
  ttlMs: number,
  version: string,
): Promise<void> {
  await refreshIfNewer.run(
    redis,
    [key, versionKeyFor(key), leaseKeyFor(key)],
    [value, ttlMs, version],
  );
}

/** The invalidator's tag invalidation: UNLINK of the tag's generation key (redis-applier.ts). */
export async function invalidatorInvalidateTag(
  redis: Pick<Redis, 'unlink'>,
  tagKey: string,
): Promise<void> {
  await redis.unlink(tagKey);
}
