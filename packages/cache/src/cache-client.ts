import { leaseKeyFor } from '@freshen/keys';
import {
  type CacheOptions,
  type ReadOptions,
  type ResolvedCacheOptions,
  resolveCacheOptions,
} from './cache-options.ts';
import type { RedisClient } from '@freshen/storage';
import { connectRedis, type ConnectRedisOptions, type RedisTarget } from '@freshen/redis-client';
import { Registry } from 'prom-client';
import {
  type CacheMetrics,
  cacheMetricsFor,
  privateCacheMetrics,
} from './metrics/cache-metrics.ts';
import {
  type CacheLatencyMetrics,
  cacheLatencyMetricsFor,
} from './metrics/cache-latency-metrics.ts';
import { nearCacheMetricsFor, NearCacheMetrics } from './metrics/near-cache-metrics.ts';
import { InvalidationTracker } from './near/invalidation-tracker.ts';
import { NearCache } from './near/near-cache.ts';
import { hashStorage } from './reading/hash-storage.ts';
import { type CacheRead, NOT_NEAR, ReadThrough } from './reading/read-through.ts';
import { ValueStorage } from './reading/value-storage.ts';
import type { Serializer } from './serializers/serializer.ts';
import { taggedValueStorage } from './tags/tagged-value-storage.ts';
import { warm, type WarmEntry, type WarmOptions, type WarmSummary } from './warming/warm.ts';

/** The default of every read's options, shared so that a read without options allocates none. */
const NO_OPTIONS: ReadOptions = Object.freeze({});

/**
 * The application side of Freshen: cache-aside reads through Redis with fill leases, so a read
 * that races a committed write can never put the old value back (docs/architecture.md,
 * "Fill leases"). Construct one per Redis client (standalone or Cluster); keys come from
 * @freshen/keys, and the lease of a key is `leaseKeyFor(key)` (same cluster slot).
 *
 * Either the host application creates and closes the ioredis client and passes it in, or
 * `CacheClient.connect(target)` opens one from Redis settings (TLS, ACL user, Cluster or
 * Sentinel: the same settings as Freshen's services) and `close()` closes it. With
 * `nearCache` the client also opens its own tracking connections (duplicates of that client's
 * settings), which `close()` ends.
 */
export class CacheClient {
  readonly redis: RedisClient;
  readonly options: Readonly<ResolvedCacheOptions>;
  readonly metrics: CacheMetrics;
  /** Read and fill latency histograms (cache-latency-metrics.ts). */
  readonly latency: CacheLatencyMetrics;
  /** The in-process tier, when `nearCache` is on. */
  readonly near: NearCache | undefined;
  private readonly tracker: InvalidationTracker | undefined;
  private readonly readThrough: ReadThrough;

  /** Set only by `connect`: the connection this client opened and `close()` quits. */
  private ownedConnection: RedisClient | undefined;

  /**
   * A cache on a connection of its own to `target` (for example `readRedisTarget(process.env)`
   * from @freshen/redis-client, which reads the REDIS_* variables). Rejects with one
   * FreshenError line when Redis refuses (password, certificate, host name) or is unreachable.
   */
  static async connect(
    target: RedisTarget,
    options: CacheOptions & { connection?: ConnectRedisOptions } = {},
  ): Promise<CacheClient> {
    const { connection, ...cacheOptions } = options;
    const redis = await connectRedis(target, connection);
    const client = new CacheClient(redis, cacheOptions);
    client.ownedConnection = redis;
    return client;
  }

  /**
   * Closes the near cache's tracking connections, and the connection `connect` opened; a
   * client built on the caller's connection leaves that one open. Idempotent.
   */
  async close(): Promise<void> {
    this.tracker?.close();
    const redis = this.ownedConnection;
    this.ownedConnection = undefined;
    if (redis) await redis.quit().catch(() => redis.disconnect());
  }

  constructor(redis: RedisClient, options: CacheOptions = {}) {
    this.redis = redis;
    this.options = resolveCacheOptions(options);
    this.metrics = options.registry ? cacheMetricsFor(options.registry) : privateCacheMetrics();
    this.latency = cacheLatencyMetricsFor(options.registry);
    if (this.options.nearCache) {
      const nearMetrics = options.registry
        ? nearCacheMetricsFor(options.registry)
        : new NearCacheMetrics(new Registry());
      this.near = new NearCache(this.options.nearCache, nearMetrics);
      this.tracker = new InvalidationTracker(redis, this.near, nearMetrics);
      this.tracker.start();
    }
    this.readThrough = new ReadThrough(redis, this.options, this.metrics, this.latency, this.near);
  }

  /**
   * Resolves when the near cache serves (its tracking connections are up); at once without
   * one. Reads before that go to Redis, so awaiting this is never needed for correctness.
   */
  nearCacheReady(): Promise<void> {
    return this.tracker ? this.tracker.ready() : Promise.resolve();
  }

  /** The server-side ids of the tracking connections by server address (tests kill them). */
  nearCacheConnections(): Map<string, number | undefined> {
    return this.tracker?.trackingClientIds() ?? new Map();
  }

  /**
   * The cached value of `key`, or the loader's value (cached unless an invalidation raced the
   * load, it is too large, or it is `undefined`). `null` is cached like any value, so "no such
   * row" is cached too; the rules must delete the key when the row appears. A loader error
   * rejects with FreshenError LOADER_FAILED whose `cause` is the loader's error.
   */
  async getOrLoad<T>(
    key: string,
    loader: () => Promise<T>,
    options: ReadOptions = NO_OPTIONS,
  ): Promise<T> {
    // A near hit returns at once: no read context, no outcome object.
    const near = this.nearValue<T>(key, options);
    if (near !== NOT_NEAR) return near;
    return (await this.readRemote(key, loader, options)).value;
  }

  /** Like getOrLoad, and says where the value came from and what happened to the fill. */
  read<T>(
    key: string,
    loader: () => Promise<T>,
    options: ReadOptions = NO_OPTIONS,
  ): Promise<CacheRead<T>> {
    const near = this.nearValue<T>(key, options);
    if (near !== NOT_NEAR) return Promise.resolve({ value: near, source: 'near' });
    return this.readRemote(key, loader, options);
  }

  /** The near cache's copy of a whole value; tagged reads never use it (see readTagged). */
  private nearValue<T>(key: string, options: ReadOptions): T | typeof NOT_NEAR {
    if (this.near === undefined || this.fencedByTags(options)) return NOT_NEAR;
    return this.readThrough.nearValue<T>(key, '', options.serializer ?? this.options.serializer);
  }

  /** A read the near cache did not answer: through Redis, with a lease on a miss. */
  private readRemote<T>(
    key: string,
    loader: () => Promise<T>,
    options: ReadOptions,
  ): Promise<CacheRead<T>> {
    const serializer = options.serializer ?? this.options.serializer;
    if (this.fencedByTags(options)) return this.readTagged(key, loader, options, serializer);
    const leaseKey = leaseKeyFor(key);
    return this.readThrough.read({
      key,
      leaseKey,
      storage: new ValueStorage<T>(this.redis, key, leaseKey, serializer),
      loader,
      ttlMs: options.ttlMs ?? this.options.ttlMs,
      serializer,
      nearVariant: '',
    });
  }

  /** Whether a read goes through its tags' generations (and so never through the near cache). */
  private fencedByTags(options: ReadOptions): boolean {
    return Boolean(options.tags?.length) && this.options.tagFencing;
  }

  /** A read with tags (tags/tagged-value-storage.ts); never served by the near cache. */
  private readTagged<T>(
    key: string,
    loader: () => Promise<T>,
    options: ReadOptions,
    serializer: Serializer,
  ): Promise<CacheRead<T>> {
    const leaseKey = leaseKeyFor(key);
    const ttlMs = options.ttlMs ?? this.options.ttlMs;
    return this.readThrough.read({
      key,
      leaseKey,
      storage: taggedValueStorage<T>(this.redis, {
        key,
        leaseKey,
        tags: options.tags ?? [],
        serializer,
        tagTtlMs: Math.ceil(ttlMs) + this.options.leaseTtlMs,
      }),
      loader,
      ttlMs,
      serializer,
      nearVariant: '',
      bypassNear: true,
    });
  }

  /**
   * Some fields of an object cached as a Redis hash (HMGET of just those fields). On a miss
   * the loader returns the whole object (or null when it does not exist), which is filled as
   * one hash under the hash key's lease; fields the object lacks are absent from the result.
   */
  async getFieldsOrLoad<T extends object, F extends keyof T & string>(
    key: string,
    fields: readonly F[],
    loader: () => Promise<T | null>,
    options: ReadOptions = NO_OPTIONS,
  ): Promise<Pick<T, F> | null> {
    return (await this.readFields(key, fields, loader, options)).value;
  }

  /** Like getFieldsOrLoad, with the read's outcome. */
  readFields<T extends object, F extends keyof T & string>(
    key: string,
    fields: readonly F[],
    loader: () => Promise<T | null>,
    options: ReadOptions = NO_OPTIONS,
  ): Promise<CacheRead<Pick<T, F> | null>> {
    if (fields.length === 0) throw new RangeError('getFieldsOrLoad needs at least one field name');
    const serializer = options.serializer ?? this.options.serializer;
    // Distinct from '' (no field list is empty) and from any other field list.
    const nearVariant = JSON.stringify(fields);
    const near = this.readThrough.nearValue<Pick<T, F> | null>(key, nearVariant, serializer);
    if (near !== NOT_NEAR) return Promise.resolve({ value: near, source: 'near' });
    const leaseKey = leaseKeyFor(key);
    return this.readThrough.read({
      key,
      leaseKey,
      storage: hashStorage<T, F>(this.redis, key, leaseKey, fields, serializer),
      loader,
      ttlMs: options.ttlMs ?? this.options.ttlMs,
      serializer,
      nearVariant,
    });
  }

  /** Pre-populates keys through their loaders with bounded concurrency (see `warm`). */
  warm(
    entries: Iterable<WarmEntry> | AsyncIterable<WarmEntry>,
    options: WarmOptions = {},
  ): Promise<WarmSummary> {
    return warm(this, entries, options);
  }
}
