import type { Cluster, Redis } from 'ioredis';
import { truncateKeys } from '../../src/redis/truncate-keys.ts';

/** A version above every change's (16 + 8 hex digits, see eventVersion). */
const AFTER_EVERY_CHANGE = 'f'.repeat(24);

/**
 * Removes what a test wrote under `prefix`: its keys with their companions, as a TRUNCATE
 * newer than every change would (a structure's members all go, and its companions expire at
 * once), and the companions of keys under the prefix (of either form, see @freshen/keys).
 */
export async function removeTestKeys(redis: Redis | Cluster, prefix: string): Promise<void> {
  await truncateKeys(redis, [`${prefix}*`, `{${prefix}*`, `{*}:*:${prefix}*`], {
    version: AFTER_EVERY_CHANGE,
    tombstoneTtlMs: 1,
  });
}
