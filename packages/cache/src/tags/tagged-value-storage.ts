import { hashSlot, type Tag } from '@freshen/keys';
import {
  checkTag,
  decodeStoredValue,
  decodeTaggedPayload,
  encodeStoredValue,
  encodeTaggedPayload,
  fillTaggedIfLeased,
  releaseLease,
  type RedisClient,
  type TagGeneration,
} from '@freshen/storage';
import { Cluster } from 'ioredis';
import type { Encoded, Found, Storage } from '../reading/storage.ts';
import type { Serializer } from '../serializers/serializer.ts';
import { currentGenerations, readWithGenerations, snapshotGenerations } from './tag-generations.ts';

export interface TaggedValueSettings {
  key: string;
  leaseKey: string;
  tags: readonly Tag[];
  serializer: Serializer;
  /**
   * How long a tag's generation must live: longer than any value recorded with it (the value
   * TTL plus the lease TTL, as a load may take that long). A generation that expires early
   * costs only misses, never a stale read (see tag-generations.ts).
   */
  tagTtlMs: number;
}

/**
 * A whole value with tags (docs/architecture.md, "Tags"). Before the load begins, `beginLoad`
 * reads (or creates) each tag's generation; the fill writes them into the stored value and is
 * refused if any moved; a read serves the value only if every stored generation is still
 * current and every tag the caller names is among them. So after a tag invalidation (the
 * invalidator unlinks the generation key) no read returns a value whose load began before it.
 *
 * On Redis Cluster the fill script can check atomically only the tags in the value key's slot
 * (declare both kinds with the same hashTag parameter to co-locate them); the others are
 * checked by check-tag-1.lua just before the fill, and an invalidation that lands between that
 * check and the fill is caught by the read-time comparison, which holds on every topology.
 */
/**
 * Whether every recorded generation is still current. `known` holds generations already read
 * (in the value's own round trip); the others cost one more round trip.
 */
export async function generationsCurrent(
  redis: RedisClient,
  recorded: readonly TagGeneration[],
  known: ReadonlyMap<string, string | null> = new Map(),
): Promise<boolean> {
  const current = new Map(known);
  const others = recorded.filter((tag) => !current.has(tag.key));
  if (others.length > 0) {
    const more = await currentGenerations(
      redis,
      others.map((tag) => tag.key),
    );
    others.forEach((tag, index) => current.set(tag.key, more[index] ?? null));
  }
  return recorded.every((tag) => current.get(tag.key) === tag.generation);
}

export function taggedValueStorage<T>(
  redis: RedisClient,
  settings: TaggedValueSettings,
): Storage<T, T> {
  const { key, leaseKey, serializer, tagTtlMs } = settings;
  const tagKeys = [...new Set(settings.tags.map((tag) => tag.key))];
  let snapshot: TagGeneration[] | undefined;

  return {
    async beginLoad() {
      const generations = await snapshotGenerations(redis, tagKeys, tagTtlMs);
      snapshot = tagKeys.map((tag, index) => ({ key: tag, generation: generations[index]! }));
    },
    async get(): Promise<Found<T> | undefined> {
      const { text, generations } = await readWithGenerations(redis, key, tagKeys);
      if (text === null) return undefined;
      const stored = decodeStoredValue(text);
      // A value without tags (the invalidator's refresh, a fill without tags) is not known to
      // be fresh for the caller's tags: a miss, and the fill replaces it.
      const tagged = decodeTaggedPayload(stored.payload);
      if (!tagged) return undefined;
      if (tagKeys.some((tag) => !tagged.tags.some((recorded) => recorded.key === tag)))
        return undefined;
      const known = new Map(tagKeys.map((tag, index) => [tag, generations[index] ?? null]));
      if (!(await generationsCurrent(redis, tagged.tags, known))) return undefined;
      let value: T;
      try {
        value = serializer.deserialize(tagged.payload) as T;
      } catch {
        return undefined;
      }
      return { value, loadMs: stored.loadMs, expiresAtMs: stored.expiresAtMs };
    },
    project: (loaded) => loaded,
    encode(loaded, loadMs, ttlMs) {
      // No snapshot, no proof the load began after the last invalidation: do not cache.
      if (loaded === undefined || snapshot === undefined) return undefined;
      const payload = encodeTaggedPayload(serializer.serialize(loaded), snapshot);
      const text = encodeStoredValue(payload, loadMs, Date.now() + ttlMs);
      return { args: [text], bytes: Buffer.byteLength(text) };
    },
    async fillLeased(token: string, encoded: Encoded, ttlMs: number) {
      const tags = snapshot ?? [];
      const slot = redis instanceof Cluster ? hashSlot(key) : undefined;
      const local = tags.filter((tag) => slot === undefined || hashSlot(tag.key) === slot);
      const remote = tags.filter((tag) => !local.includes(tag));
      const checks = await Promise.all(
        remote.map((tag) => checkTag.run(redis, [tag.key], [tag.generation, tagTtlMs])),
      );
      if (checks.some((reply) => reply !== 1)) {
        await releaseLease.run(redis, [leaseKey], [token]);
        return false;
      }
      const reply = await fillTaggedIfLeased.run(
        redis,
        [key, leaseKey, ...local.map((tag) => tag.key)],
        [token, encoded.args[0]!, ttlMs, tagTtlMs, ...local.map((tag) => tag.generation)],
      );
      return reply === 1;
    },
    async fillUnleased(encoded: Encoded, ttlMs: number) {
      // Plain cache-aside (leases off): no fill check, but reads still compare generations.
      await redis.set(key, encoded.args[0]!, 'PX', ttlMs);
    },
  };
}
