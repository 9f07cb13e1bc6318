import { leaseKeyFor, versionKeyFor } from '@freshen/keys';
import { Cluster, type Redis } from 'ioredis';
import { groupByNode } from './slot-groups.ts';

export interface TruncateOptions {
  /** SCAN COUNT hint: keys examined per call. Default 1000. */
  scanCount?: number;
}

/**
 * Unlinks every key matching the patterns, with its lease and version, on every master:
 * SCAN MATCH with a COUNT (never KEYS), UNLINK per page, so Redis is never blocked for long and
 * memory is freed in the background. Returns the number of cache keys found and unlinked.
 * Companion keys start with '{' and never match a kind's pattern, so they are named explicitly.
 */
export async function truncateKeys(
  redis: Redis | Cluster,
  patterns: readonly string[],
  options: TruncateOptions = {},
): Promise<number> {
  const count = options.scanCount ?? 1000;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const perNode = await Promise.all(
    nodes.map(async (node) => {
      let unlinked = 0;
      for (const pattern of patterns) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
          cursor = next;
          if (keys.length === 0) continue;
          unlinked += keys.length;
          await unlinkWithCompanions(redis, node, keys);
        } while (cursor !== '0');
      }
      return unlinked;
    }),
  );
  return perNode.reduce((sum, n) => sum + n, 0);
}

async function unlinkWithCompanions(
  redis: Redis | Cluster,
  node: Redis,
  keys: string[],
): Promise<void> {
  const withCompanions = (group: string[]) =>
    group.flatMap((key) => [key, leaseKeyFor(key), versionKeyFor(key)]);
  if (!(redis instanceof Cluster)) {
    await node.unlink(...withCompanions(keys));
    return;
  }
  // A cluster node refuses multi-key commands across slots: one UNLINK per slot, pipelined.
  const pipeline = node.pipeline();
  for (const slots of groupByNode(redis, keys, (key) => key)) {
    for (const group of slots.values()) pipeline.unlink(...withCompanions(group));
  }
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
