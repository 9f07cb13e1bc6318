import { leaseKeyFor, versionKeyFor } from '@freshen/keys';
import { decodeStoredValue } from '@freshen/storage';
import type { Cluster, Redis } from 'ioredis';

/** What Redis holds under a cache key now, for `freshen explain` and `freshen tail`. */
export interface KeyContents {
  key: string;
  /** none, string, hash... (Redis TYPE). */
  type: string;
  /** Milliseconds to expiry; null without an expiry or without the key. */
  ttlMs: number | null;
  /** The cached value (a string's payload, or a hash's fields as JSON), clipped to 200 chars. */
  value: string | null;
  /** The refresh version beside it (commit LSN + position), if a refresh wrote it. */
  version: string | null;
  /** True while a reader holds the fill lease (it is loading the row). */
  leased: boolean;
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

export async function readKeyContents(redis: Redis | Cluster, key: string): Promise<KeyContents> {
  const [type, ttl, version, lease] = await Promise.all([
    redis.type(key),
    redis.pttl(key),
    redis.get(versionKeyFor(key)),
    redis.exists(leaseKeyFor(key)),
  ]);
  let value: string | null = null;
  if (type === 'string') {
    const stored = await redis.get(key);
    value = stored === null ? null : clip(decodeStoredValue(stored).payload);
  } else if (type === 'hash') {
    value = clip(JSON.stringify(await redis.hgetall(key)));
  }
  return {
    key,
    type,
    ttlMs: ttl >= 0 ? ttl : null,
    value,
    version,
    leased: lease === 1,
  };
}
