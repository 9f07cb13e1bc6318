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
      // One command: the meta field carries the expiry XFetch needs.
      let replies: (string | null)[];
      try {
        replies = await redis.hmget(key, HASH_META_FIELD, ...fields);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return undefined;
        throw error;
      }
      const [meta, ...values] = replies;
      if (meta === null || meta === undefined) return undefined;
      const { loadMs, expiresAtMs, absent } = decodeHashMeta(meta);
      const found = { loadMs, expiresAtMs };
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
    encode(loaded, loadMs, ttlMs) {
      if (loaded === undefined) return undefined;
      const args = [HASH_META_FIELD, encodeHashMeta(loadMs, Date.now() + ttlMs, loaded === null)];
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
