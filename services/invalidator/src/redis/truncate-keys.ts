import { leasePatternsFor, structureKeysFor, withCompanions } from '@freshen/keys';
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
 *
 * Fills in flight are fenced first: a reader that missed holds its key's lease while loading,
 * and that key does not exist yet, so only the leases show it. Every lease that exists when the
 * lease pass starts is either unlinked by it (the fill is then refused) or consumed by a fill
 * that lands before the value pass starts (which then unlinks the value, since SCAN returns
 * every key present for the whole iteration). A lease taken after the lease pass began belongs
 * to a load that began after the TRUNCATE committed, which reads the table as it is now.
 */
export async function truncateKeys(
  redis: Redis | Cluster,
  patterns: readonly string[],
  options: TruncateOptions = {},
): Promise<number> {
  const count = options.scanCount ?? 1000;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const leasePatterns = patterns.flatMap(leasePatternsFor);
  await Promise.all(
    nodes.map((node) =>
      scanAndUnlink(node, leasePatterns, count, (keys) => unlink(redis, node, keys)),
    ),
  );
  const perNode = await Promise.all(
    nodes.map((node) =>
      scanAndUnlink(node, patterns, count, (keys) => unlink(redis, node, keys, withAllCompanions)),
    ),
  );
  return perNode.reduce((sum, n) => sum + n, 0);
}

/** SCANs one node for each pattern, handing each non-empty page to `unlinkPage`; returns the keys found. */
async function scanAndUnlink(
  node: Redis,
  patterns: readonly string[],
  count: number,
  unlinkPage: (keys: string[]) => Promise<void>,
): Promise<number> {
  let found = 0;
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length === 0) continue;
      found += keys.length;
      await unlinkPage(keys);
    } while (cursor !== '0');
  }
  return found;
}

/**
 * A key with its lease and version and, should it be a structure kept by rules, its member
 * versions and tombstones: the table is empty, so no member of it has a version to keep.
 */
function withAllCompanions(key: string): string[] {
  return [...withCompanions(key), ...structureKeysFor(key).slice(1)];
}

async function unlink(
  redis: Redis | Cluster,
  node: Redis,
  keys: string[],
  expand: (key: string) => string[] = (key) => [key],
): Promise<void> {
  if (!(redis instanceof Cluster)) {
    await node.unlink(...keys.flatMap(expand));
    return;
  }
  // A cluster node refuses multi-key commands across slots: one UNLINK per slot, pipelined.
  const pipeline = node.pipeline();
  for (const slots of groupByNode(redis, keys, (key) => key)) {
    for (const group of slots.values()) pipeline.unlink(...group.flatMap(expand));
  }
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
