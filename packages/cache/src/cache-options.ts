import { MINUTE, SECOND } from '@freshen/runtime';
import type { Tag } from '@freshen/keys';
import type { Registry } from 'prom-client';
import {
  type NearCacheOptions,
  type ResolvedNearCacheOptions,
  resolveNearCacheOptions,
} from './near/near-cache-options.ts';
import { jsonSerializer, type Serializer } from './serializers/serializer.ts';

/** Options of a CacheClient; every one has a default. */
export interface CacheOptions {
  /** TTL of a filled value, before jitter. Default 5 minutes. */
  ttlMs?: number;
  /** Each fill's TTL is shortened by a random fraction up to this (0.1 = up to 10 %). Default 0.1. */
  ttlJitter?: number;
  /** XFetch beta: > 1 refreshes earlier, 0 disables early refresh. Default 1. */
  earlyRefreshBeta?: number;
  /**
   * Fill-lease TTL: how long a reader may load before others may take over. Longer than a slow
   * load; a crashed reader's lease blocks fills of its key this long at most. Default 10 s.
   */
  leaseTtlMs?: number;
  /**
   * How long a reader that finds another reader's lease waits (polling the key with backoff)
   * before calling the loader itself; that fallback result is returned but not cached. Default 1 s.
   */
  leaseWaitMs?: number;
  /**
   * Fill leases on (the default). `false` is plain cache-aside: GET, load, SET. It re-fills
   * stale values when a read races a write and has no stampede protection; it exists to
   * demonstrate and measure that race, not for production.
   */
  leases?: boolean;
  /** How values become strings. Default JSON. */
  serializer?: Serializer;
  /** Values whose stored form exceeds this many bytes are returned but not cached. Default 1 MiB. */
  maxValueBytes?: number;
  /**
   * When Redis fails: 'load' serves the read from the loader without caching (the database
   * takes the load while Redis is away), 'throw' rejects with the Redis error. Default 'load'.
   */
  onRedisError?: 'load' | 'throw';
  /** The host application's prom-client registry for the cache metrics. Default: a private one. */
  registry?: Registry;
  /** Randomness for jitter, XFetch and backoff; tests pass a fixed one. Default Math.random. */
  random?: () => number;
  /**
   * An in-process tier in front of Redis for keys under the given prefixes, invalidated by
   * Redis itself (CLIENT TRACKING; see the README, "Near cache"). Off by default. The client
   * then owns tracking connections: call `close()` when done.
   */
  nearCache?: NearCacheOptions;
  /**
   * Tag fencing on (the default): a tagged read serves a value only while its tags'
   * generations are the ones read before its load, and a tagged fill is refused when one moved.
   * `false` ignores tags (tagged values go stale until their TTL); it exists to show that the
   * consistency check catches stale tagged values, not for production.
   */
  tagFencing?: boolean;
}

/** Per-call overrides of `getOrLoad` / `getFieldsOrLoad`. */
export interface ReadOptions {
  ttlMs?: number;
  serializer?: Serializer;
  /**
   * Tags of the value (`getOrLoad` only): invalidating any of them (a rule's invalidateTag)
   * makes the value stale. Name the same tags on every read of the key. Tagged reads skip the
   * near cache.
   */
  tags?: readonly Tag[];
}

export interface ResolvedCacheOptions {
  ttlMs: number;
  ttlJitter: number;
  earlyRefreshBeta: number;
  leaseTtlMs: number;
  leaseWaitMs: number;
  leases: boolean;
  serializer: Serializer;
  maxValueBytes: number;
  onRedisError: 'load' | 'throw';
  random: () => number;
  nearCache: ResolvedNearCacheOptions | undefined;
  tagFencing: boolean;
}

export const DEFAULT_CACHE_OPTIONS: ResolvedCacheOptions = {
  ttlMs: 5 * MINUTE,
  ttlJitter: 0.1,
  earlyRefreshBeta: 1,
  leaseTtlMs: 10 * SECOND,
  leaseWaitMs: 1 * SECOND,
  leases: true,
  serializer: jsonSerializer,
  maxValueBytes: 1024 * 1024,
  onRedisError: 'load',
  random: Math.random,
  nearCache: undefined,
  tagFencing: true,
};

/** Fills defaults and rejects values that cannot work, naming the option and the fix. */
export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  const resolved: ResolvedCacheOptions = { ...DEFAULT_CACHE_OPTIONS };
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !['registry', 'connection', 'nearCache'].includes(name))
      (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  const positive = ['ttlMs', 'leaseTtlMs', 'maxValueBytes'] as const;
  for (const name of positive) {
    if (!Number.isFinite(resolved[name]) || resolved[name] <= 0) {
      throw new RangeError(`cache option ${name}=${resolved[name]} must be a positive number`);
    }
  }
  if (!(resolved.leaseWaitMs >= 0)) throw new RangeError('cache option leaseWaitMs must be >= 0');
  if (!(resolved.earlyRefreshBeta >= 0))
    throw new RangeError('cache option earlyRefreshBeta must be >= 0 (0 disables)');
  if (!(resolved.ttlJitter >= 0 && resolved.ttlJitter < 1)) {
    throw new RangeError(
      'cache option ttlJitter must be in [0, 1), e.g. 0.1 for up to 10 % shorter TTLs',
    );
  }
  if (options.nearCache)
    resolved.nearCache = resolveNearCacheOptions(options.nearCache, resolved.ttlMs);
  return resolved;
}
