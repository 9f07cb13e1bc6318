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

/**
 * A whole value in one Redis STRING (plain serialized value or the minimal envelope). A class,
 * not an object of closures: one is built per read, and a hit should allocate little.
 */
export class ValueStorage<T> implements Storage<T, T> {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly leaseKey: string;
  private readonly serializer: Serializer;

  constructor(redis: RedisClient, key: string, leaseKey: string, serializer: Serializer) {
    this.redis = redis;
    this.key = key;
    this.leaseKey = leaseKey;
    this.serializer = serializer;
  }

  async get(): Promise<Found<T> | undefined> {
    // One command: the expiry XFetch needs travels inside the stored value.
    const text = await this.redis.get(this.key);
    if (text === null) return undefined;
    const stored = decodeStoredValue(text);
    let payload = stored.payload;
    // A tagged value read without naming its tags (another code path, a tool): still
    // served only while its tags are current, whatever the serializer accepts.
    const tagged = decodeTaggedPayload(payload);
    if (tagged) {
      if (!(await generationsCurrent(this.redis, tagged.tags))) return undefined;
      payload = tagged.payload;
    }
    let value: T;
    try {
      value = this.serializer.deserialize(payload) as T;
    } catch {
      // Unreadable (a serializer change, a foreign writer): a miss, so a fill replaces it.
      return undefined;
    }
    return { value, loadMs: stored.loadMs, expiresAtMs: stored.expiresAtMs };
  }

  project(loaded: T): T {
    return loaded;
  }

  encode(loaded: T, loadMs: number, ttlMs: number): Encoded | undefined {
    if (loaded === undefined) return undefined;
    const text = encodeStoredValue(this.serializer.serialize(loaded), loadMs, Date.now() + ttlMs);
    return { args: [text], bytes: Buffer.byteLength(text) };
  }

  async fillLeased(token: string, encoded: Encoded, ttlMs: number): Promise<boolean> {
    const args = [token, encoded.args[0]!, ttlMs];
    return (await fillIfLeased.run(this.redis, [this.key, this.leaseKey], args)) === 1;
  }

  async fillUnleased(encoded: Encoded, ttlMs: number): Promise<void> {
    await this.redis.set(this.key, encoded.args[0]!, 'PX', ttlMs);
  }
}
