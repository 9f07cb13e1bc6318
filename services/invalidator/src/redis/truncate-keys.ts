import { leasePatternsFor, memberVersionsKeyFor, withCompanions } from '@freshen/keys';
import { Cluster, type Redis } from 'ioredis';
import { DEFAULT_TOMBSTONE_TTL_MS } from './redis-applier.ts';
import { groupByNode } from './slot-groups.ts';
import { asStructureType } from './structure-members.ts';
import { truncateStructureKey } from './truncate-structure.ts';

export interface TruncateOptions {
  /** eventVersion(truncate event): the members of structures changed after it stay. */
  version: string;
  /**
   * How long a structure's truncate floor refuses older changes: the invalidator's tombstone
   * TTL. Default DEFAULT_TOMBSTONE_TTL_MS (10 minutes).
   */
  tombstoneTtlMs?: number;
  /** SCAN COUNT hint: keys examined per call. Default 1000. */
  scanCount?: number;
}

export interface TruncateResult {
  /** Cache keys found and unlinked, with their leases and versions. */
  unlinked: number;
  /** Structures kept by rules found (their floors raised). */
  structures: number;
  /** Members removed from those structures: changed before the TRUNCATE. */
  membersRemoved: number;
}

/** Structures trimmed at once within one SCAN page. */
const STRUCTURE_CONCURRENCY = 16;

/**
 * Applies one partition's copy of a TRUNCATE to the keys matching the patterns, on every
 * master: SCAN MATCH with a COUNT (never KEYS), page by page, so Redis is never blocked for
 * long. In each page a key with member versions is a structure kept by rules (every structure
 * with members has them; a cache key, a cached hash included, never does).
 *
 * Cache keys are unlinked with their lease and version (memory freed in the background): a
 * late unlink only causes a miss. Fills in flight are fenced first: a reader that missed holds
 * its key's lease while loading, and that key does not exist yet, so only the leases show it.
 * Every lease that exists when the lease pass starts is either unlinked by it (the fill is then
 * refused) or consumed by a fill that lands before the value pass starts (which then unlinks
 * the value, since SCAN returns every key present for the whole iteration). A lease taken
 * after the lease pass began belongs to a load that began after the TRUNCATE committed, which
 * reads the table as it is now.
 *
 * Structures are not unlinked: nothing reloads them, and every partition applies its own copy
 * of the TRUNCATE when it gets there, so another partition may already have applied its copy
 * and then added a member changed after the TRUNCATE. Instead each structure's floor is
 * raised to the TRUNCATE's version and its members changed before it are removed
 * (truncate-structure.ts). SCAN may miss a member added meanwhile by another partition, and
 * this still converges: a change made before the TRUNCATE is applied by its own partition
 * before that partition's copy of the TRUNCATE, whose scan then finds the member and removes
 * it; applied any later (a late apply, a replay), it is refused by the floor. A change made
 * after the TRUNCATE belongs in the structure.
 */
export async function truncateKeys(
  redis: Redis | Cluster,
  patterns: readonly string[],
  options: TruncateOptions,
): Promise<TruncateResult> {
  const count = options.scanCount ?? 1000;
  const ttl = options.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const leasePatterns = patterns.flatMap(leasePatternsFor);
  await Promise.all(
    nodes.map((node) => scanPages(node, leasePatterns, count, (keys) => unlink(redis, node, keys))),
  );
  const result: TruncateResult = { unlinked: 0, structures: 0, membersRemoved: 0 };
  await Promise.all(
    nodes.map((node) =>
      scanPages(node, patterns, count, async (keys) => {
        const { cacheKeys, structures } = await classify(node, keys);
        await unlink(redis, node, cacheKeys, withCompanions);
        result.unlinked += cacheKeys.length;
        result.structures += structures.length;
        for (let start = 0; start < structures.length; start += STRUCTURE_CONCURRENCY) {
          const removed = await Promise.all(
            structures
              .slice(start, start + STRUCTURE_CONCURRENCY)
              .map(({ key, type }) =>
                truncateStructureKey(redis, key, asStructureType(type), options.version, ttl),
              ),
          );
          for (const n of removed) result.membersRemoved += n;
        }
      }),
    ),
  );
  return result;
}

/** SCANs one node for each pattern, handing each non-empty page to `onPage`. */
async function scanPages(
  node: Redis,
  patterns: readonly string[],
  count: number,
  onPage: (keys: string[]) => Promise<void>,
): Promise<void> {
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) await onPage(keys);
    } while (cursor !== '0');
  }
}

/** Tells a page's structures (with their Redis type) from its cache keys: one pipeline. */
async function classify(
  node: Redis,
  keys: string[],
): Promise<{ cacheKeys: string[]; structures: { key: string; type: unknown }[] }> {
  const pipeline = node.pipeline();
  for (const key of keys) pipeline.exists(memberVersionsKeyFor(key)).type(key);
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  const cacheKeys: string[] = [];
  const structures: { key: string; type: unknown }[] = [];
  keys.forEach((key, index) => {
    if (replies[2 * index]?.[1] === 1) structures.push({ key, type: replies[2 * index + 1]?.[1] });
    else cacheKeys.push(key);
  });
  return { cacheKeys, structures };
}

async function unlink(
  redis: Redis | Cluster,
  node: Redis,
  keys: string[],
  expand: (key: string) => string[] = (key) => [key],
): Promise<void> {
  if (keys.length === 0) return;
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
