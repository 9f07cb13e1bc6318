import { randomBytes } from 'node:crypto';
import { hashSlot } from '@freshen/keys';
import { tagGeneration, type RedisClient } from '@freshen/storage';
import { Cluster } from 'ioredis';

/** 96 random bits: two readers creating one tag's generation never pick the same one. */
const GENERATION_BYTES = 12;

/**
 * A tag's generation is a random token at its generation key, created by the first reader that
 * needs it and removed (UNLINK) by the invalidator to invalidate the tag. A removed generation
 * never comes back - the next reader creates a new random one - so a value recorded with an
 * older generation can never match again, whatever happens to the key's TTL.
 */
export function newGeneration(): string {
  return randomBytes(GENERATION_BYTES).toString('base64url');
}

/**
 * The generation of each tag before a load begins, creating the missing ones with `ttlMs`
 * (tag-generation-1.lua: atomic, so a generation read here always existed in Redis). One round
 * trip: the scripts are sent together, each to its tag's node on a cluster.
 */
export function snapshotGenerations(
  redis: RedisClient,
  tagKeys: readonly string[],
  ttlMs: number,
): Promise<string[]> {
  return Promise.all(
    tagKeys.map(
      async (key) => (await tagGeneration.run(redis, [key], [newGeneration(), ttlMs])) as string,
    ),
  );
}

/**
 * A value's stored text and the current generation of each tag (null: none), in one round
 * trip: one MGET of the value key and the tag keys on a single server (measured as cheap as
 * a GET; GET + MGET or a pipeline cost about twice as much per read); on a cluster one MGET
 * per slot, all at once, since the tags' slots need not be the value's.
 */
export async function readWithGenerations(
  redis: RedisClient,
  key: string,
  tagKeys: readonly string[],
): Promise<{ text: string | null; generations: (string | null)[] }> {
  const [text = null, ...generations] = await mgetBySlot(redis, [key, ...tagKeys]);
  return { text, generations };
}

/** The current generations of tags (null: none), one round trip. */
export function currentGenerations(
  redis: RedisClient,
  tagKeys: readonly string[],
): Promise<(string | null)[]> {
  return mgetBySlot(redis, tagKeys);
}

/** MGET of keys in any slots: one command per slot on a cluster, sent together. */
async function mgetBySlot(redis: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return [];
  if (!(redis instanceof Cluster)) return redis.mget(...keys);
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = hashSlot(key);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), index]);
  });
  const values: (string | null)[] = new Array<string | null>(keys.length).fill(null);
  await Promise.all(
    [...bySlot.values()].map(async (indexes) => {
      const replies = await redis.mget(...indexes.map((index) => keys[index]!));
      indexes.forEach((index, at) => (values[index] = replies[at] ?? null));
    }),
  );
  return values;
}
