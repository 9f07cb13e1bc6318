import {
  decodeStoredValue,
  decodeTaggedPayload,
  encodeStoredValue,
  fillIfLeased,
  type RedisClient,
} from '@freshen/storage';
import type { Serializer } from '../serializers/serializer.ts';
import { generationsCurrent } from '../tags/tagged-value-storage.ts';
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
      // One command: the expiry XFetch needs travels inside the stored value.
      const text = await redis.get(key);
      if (text === null) return undefined;
      const stored = decodeStoredValue(text);
      let payload = stored.payload;
      // A tagged value read without naming its tags (another code path, a tool): still
      // served only while its tags are current, whatever the serializer accepts.
      const tagged = decodeTaggedPayload(payload);
      if (tagged) {
        if (!(await generationsCurrent(redis, tagged.tags))) return undefined;
        payload = tagged.payload;
      }
      let value: T;
      try {
        value = serializer.deserialize(payload) as T;
      } catch {
        // Unreadable (a serializer change, a foreign writer): a miss, so a fill replaces it.
        return undefined;
      }
      return { value, loadMs: stored.loadMs, expiresAtMs: stored.expiresAtMs };
    },
    project: (loaded) => loaded,
    encode(loaded, loadMs, ttlMs) {
      if (loaded === undefined) return undefined;
      const text = encodeStoredValue(serializer.serialize(loaded), loadMs, Date.now() + ttlMs);
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
