import { SECOND } from '@freshen/runtime';

const MIB = 1024 * 1024;

/**
 * The `nearCache` option of a CacheClient: an in-process copy of hot values in front of Redis,
 * kept correct by Redis server-assisted client-side caching (CLIENT TRACKING, broadcast mode,
 * one tracking connection per Redis master). Off unless given.
 */
export interface NearCacheOptions {
  /**
   * Key prefixes to keep near, e.g. `['app:']` for keys of `defineKeyspace({ prefix: 'app' })`.
   * Redis reports every change of a key under these prefixes to every process, so name the
   * hot kinds rather than everything; keys outside them are read from Redis as before.
   */
  prefixes: readonly string[];
  /** Most keys held. Default 10,000. */
  maxEntries?: number;
  /** Most bytes of copies held (approximate: 2 bytes per UTF-16 unit). Default 64 MiB. */
  maxBytes?: number;
  /**
   * How long a copy may be served without asking Redis, at most the cache's `ttlMs` (copies
   * never outlive the Redis expiry stored with the value either). Bounds staleness if an
   * invalidation were ever missed without the connection dropping. Default 30 s.
   */
  ttlMs?: number;
  /**
   * How often each tracking connection measures its own notification delay (a write to a probe
   * key and its invalidation; the staleness histogram). 0 disables the probe. Default 1 s.
   */
  probeIntervalMs?: number;
  /**
   * false (default): every near hit returns a freshly deserialized value, so one caller's
   * change to it is never seen by another. true: every near hit of a key returns the same
   * value, deep-frozen (changing it throws in strict mode), which saves the deserialization
   * that is most of a near hit's cost. Object.freeze does not reach into the contents of Map,
   * Set or typed arrays a custom serializer may produce.
   */
  shareValues?: boolean;
}

export interface ResolvedNearCacheOptions {
  prefixes: readonly string[];
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
  probeIntervalMs: number;
  shareValues: boolean;
}

const DEFAULTS = {
  maxEntries: 10_000,
  maxBytes: 64 * MIB,
  ttlMs: 30 * SECOND,
  probeIntervalMs: 1 * SECOND,
};

/** Fills defaults and rejects what cannot work, naming the option and the fix. */
export function resolveNearCacheOptions(
  options: NearCacheOptions,
  redisTtlMs: number,
): ResolvedNearCacheOptions {
  const resolved: ResolvedNearCacheOptions = {
    prefixes: options.prefixes,
    maxEntries: options.maxEntries ?? DEFAULTS.maxEntries,
    maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
    // The default shrinks to the Redis TTL; an explicit longer one is an error (below).
    ttlMs: options.ttlMs ?? Math.min(DEFAULTS.ttlMs, redisTtlMs),
    probeIntervalMs: options.probeIntervalMs ?? DEFAULTS.probeIntervalMs,
    shareValues: options.shareValues ?? false,
  };
  if (!Array.isArray(resolved.prefixes) || resolved.prefixes.length === 0) {
    throw new RangeError(
      "cache option nearCache.prefixes must name at least one key prefix, e.g. ['app:'] for keys of defineKeyspace({ prefix: 'app' })",
    );
  }
  if (resolved.prefixes.some((prefix) => typeof prefix !== 'string' || prefix === '')) {
    throw new RangeError(
      'cache option nearCache.prefixes may not contain an empty prefix: it would make Redis report every write (leases included) to every process; name the kinds to keep near',
    );
  }
  for (const name of ['maxEntries', 'maxBytes', 'ttlMs'] as const) {
    if (!Number.isFinite(resolved[name]) || resolved[name] <= 0) {
      throw new RangeError(
        `cache option nearCache.${name}=${resolved[name]} must be a positive number`,
      );
    }
  }
  if (options.ttlMs !== undefined && options.ttlMs > redisTtlMs) {
    throw new RangeError(
      `cache option nearCache.ttlMs=${options.ttlMs} exceeds ttlMs=${redisTtlMs}: a near copy may not outlive the Redis value; lower nearCache.ttlMs`,
    );
  }
  if (!(resolved.probeIntervalMs >= 0)) {
    throw new RangeError('cache option nearCache.probeIntervalMs must be >= 0 (0 disables)');
  }
  return resolved;
}
