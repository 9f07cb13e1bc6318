import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@freshen/storage';
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
 * The generation of each tag before a load begins, creating the missing ones with `ttlMs`:
 * `SET key new NX PX ttl GET` returns the existing generation, or nil when it set ours (one
 * atomic command, so a generation read here always exists in Redis). One round trip: one
 * pipeline on a single server, concurrent commands on a cluster (tags may be in any slot).
 */
export async function snapshotGenerations(
  redis: RedisClient,
  tagKeys: readonly string[],
  ttlMs: number,
): Promise<string[]> {
  const proposed = tagKeys.map(() => newGeneration());
  let replies: unknown[];
  if (redis instanceof Cluster) {
    replies = await Promise.all(
      tagKeys.map((key, index) => redis.set(key, proposed[index]!, 'PX', ttlMs, 'NX', 'GET')),
    );
  } else {
    const pipeline = redis.pipeline();
    tagKeys.forEach((key, index) => pipeline.set(key, proposed[index]!, 'PX', ttlMs, 'NX', 'GET'));
    replies = await execAll(pipeline);
  }
  return replies.map((reply, index) => (reply as string | null) ?? proposed[index]!);
}

/**
 * A value's stored text and the current generation of each tag (null: none), in one round
 * trip: GET and MGET in one pipeline on a single server; on a cluster, concurrent GETs (the
 * tags' slots need not be the value's).
 */
export async function readWithGenerations(
  redis: RedisClient,
  key: string,
  tagKeys: readonly string[],
): Promise<{ text: string | null; generations: (string | null)[] }> {
  if (redis instanceof Cluster) {
    const [text, ...generations] = await Promise.all([
      redis.get(key),
      ...tagKeys.map((tag) => redis.get(tag)),
    ]);
    return { text: text ?? null, generations };
  }
  const pipeline = redis.pipeline().get(key);
  if (tagKeys.length > 0) pipeline.mget(...tagKeys);
  const [text, generations = []] = await execAll(pipeline);
  return { text: text as string | null, generations: generations as (string | null)[] };
}

/** The current generations of tags (null: none), one round trip. */
export async function currentGenerations(
  redis: RedisClient,
  tagKeys: readonly string[],
): Promise<(string | null)[]> {
  if (tagKeys.length === 0) return [];
  if (redis instanceof Cluster) return Promise.all(tagKeys.map((tag) => redis.get(tag)));
  return redis.mget(...tagKeys);
}

async function execAll(pipeline: ReturnType<RedisClient['pipeline']>): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
