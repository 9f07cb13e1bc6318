import {
  decodeHashMeta,
  encodeHashMeta,
  fillHashIfLeased,
  HASH_META_FIELD,
  type RedisClient,
} from '@freshen/storage';
import type { Serializer } from '../serializers/serializer.ts';
import type { Encoded, Found, Storage } from './storage.ts';

/**
 * An object stored as one hash, one serialized field per property, read with HMGET so readers
 * fetch only the fields they need. The whole hash is filled (and replaced) at once under the
 * hash key's lease. Keys read this way must be invalidated by delete: a STRING found there (a
 * misconfigured refresh rule) reads as a miss and the next fill replaces it.
 */
export function hashStorage<T extends object, F extends keyof T & string>(
  redis: RedisClient,
  key: string,
  leaseKey: string,
  fields: readonly F[],
  serializer: Serializer,
): Storage<T | null, Pick<T, F> | null> {
  const pick = (source: T): Pick<T, F> => {
    const picked = {} as Pick<T, F>;
    for (const field of fields) if (source[field] !== undefined) picked[field] = source[field];
    return picked;
  };
  return {
    async get(): Promise<Found<Pick<T, F> | null> | undefined> {
      const replies = await redis
        .pipeline()
        .hmget(key, HASH_META_FIELD, ...fields)
        .pttl(key)
        .exec();
      const [hmget, ttlReply] = replies ?? [];
      if (hmget?.[0]) {
        if (hmget[0].message.startsWith('WRONGTYPE')) return undefined;
        throw hmget[0];
      }
      const [meta, ...values] = (hmget?.[1] ?? []) as (string | null)[];
      if (meta === null || meta === undefined) return undefined;
      const { loadMs, absent } = decodeHashMeta(meta);
      const found = { loadMs, remainingMs: Number(ttlReply?.[1] ?? -1) };
      if (absent) return { value: null, ...found };
      const value = {} as Pick<T, F>;
      try {
        fields.forEach((field, index) => {
          const text = values[index];
          if (text !== null && text !== undefined)
            value[field] = serializer.deserialize(text) as T[F];
        });
      } catch {
        return undefined;
      }
      return { value, ...found };
    },
    project: (loaded) => (loaded === null ? null : pick(loaded)),
    encode(loaded, loadMs) {
      if (loaded === undefined) return undefined;
      const args = [HASH_META_FIELD, encodeHashMeta(loadMs, loaded === null)];
      if (loaded !== null) {
        for (const [field, fieldValue] of Object.entries(loaded)) {
          if (fieldValue !== undefined) args.push(field, serializer.serialize(fieldValue));
        }
      }
      return { args, bytes: args.reduce((sum, arg) => sum + Buffer.byteLength(arg), 0) };
    },
    async fillLeased(token: string, encoded: Encoded, ttlMs: number) {
      return (
        (await fillHashIfLeased.run(redis, [key, leaseKey], [token, ttlMs, ...encoded.args])) === 1
      );
    },
    async fillUnleased(encoded: Encoded, ttlMs: number) {
      await redis
        .multi()
        .del(key)
        .hset(key, ...encoded.args)
        .pexpire(key, ttlMs)
        .exec();
    },
  };
}
