import {
  decodeStoredValue,
  encodeStoredValue,
  fillIfLeased,
  type RedisClient,
} from '@freshen/storage';
import type { Serializer } from '../serializers/serializer.ts';
import type { Encoded, Found, Storage } from './storage.ts';

/** A whole value in one Redis STRING (plain serialized value or the minimal envelope). */
export function valueStorage<T>(
  redis: RedisClient,
  key: string,
  leaseKey: string,
  serializer: Serializer,
): Storage<T, T> {
  return {
    async get(): Promise<Found<T> | undefined> {
      // One round trip; both commands name the same key, so this also works on a cluster.
      const replies = await redis.pipeline().get(key).pttl(key).exec();
      const [getReply, ttlReply] = replies ?? [];
      if (getReply?.[0]) throw getReply[0];
      const text = getReply?.[1] as string | null | undefined;
      if (text === null || text === undefined) return undefined;
      const stored = decodeStoredValue(text);
      let value: T;
      try {
        value = serializer.deserialize(stored.payload) as T;
      } catch {
        // Unreadable (a serializer change, a foreign writer): a miss, so a fill replaces it.
        return undefined;
      }
      return { value, loadMs: stored.loadMs, remainingMs: Number(ttlReply?.[1] ?? -1) };
    },
    project: (loaded) => loaded,
    encode(loaded, loadMs) {
      if (loaded === undefined) return undefined;
      const text = encodeStoredValue(serializer.serialize(loaded), loadMs);
      return { args: [text], bytes: Buffer.byteLength(text) };
    },
    async fillLeased(token: string, encoded: Encoded, ttlMs: number) {
      return (
        (await fillIfLeased.run(redis, [key, leaseKey], [token, encoded.args[0]!, ttlMs])) === 1
      );
    },
    async fillUnleased(encoded: Encoded, ttlMs: number) {
      await redis.set(key, encoded.args[0]!, 'PX', ttlMs);
    },
  };
}
