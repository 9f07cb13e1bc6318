import { randomBytes } from 'node:crypto';
import { backoffDelay, FreshenError, sleep } from '@freshen/runtime';
import type { ResolvedCacheOptions } from '../cache-options.ts';
import { releaseLease, type RedisClient } from '@freshen/storage';
import type { CacheLatencyMetrics, ReadSource } from '../metrics/cache-latency-metrics.ts';
import type { CacheMetrics } from '../metrics/cache-metrics.ts';
import type { Admission, NearCache } from '../near/near-cache.ts';
import type { Serializer } from '../serializers/serializer.ts';
import type { Encoded, Found, Storage } from './storage.ts';
import { fromNearCopy, nearCopy } from './near-copy.ts';
import { jitteredTtl } from './ttl-jitter.ts';
import { shouldRefreshEarly } from './xfetch.ts';

/** What happened to a loaded value. */
export type FillOutcome = 'written' | 'refused' | 'too_large' | 'not_cached';

/** A read's value and where it came from (for warming, tests and instrumentation). */
export interface CacheRead<T> {
  value: T;
  /** 'near': answered in process; 'cache': answered by Redis; 'loader': this call ran the loader. */
  source: 'near' | 'cache' | 'loader';
  /** Set when source is 'loader'. 'refused': an invalidation took the lease while loading. */
  fill?: FillOutcome;
  /** This hit ran the loader early (XFetch). */
  earlyRefresh?: boolean;
  /** This read found another reader's lease and waited. */
  waitedForLease?: boolean;
}

/** Poll delays while waiting on another reader's lease: 5 ms doubling to 50 ms, jittered. */
const WAIT_BACKOFF = { initialMs: 5, maxMs: 50 };
const LEASE_TOKEN_BYTES = 16;
/** A Redis step failed and onRedisError is 'load'. */
const REDIS_FAILED = Symbol('redis-failed');
/** `nearValue` had no answer. */
export const NOT_NEAR = Symbol('not-near');

interface Context<L, T> {
  key: string;
  leaseKey: string;
  storage: Storage<L, T>;
  loader: () => Promise<L>;
  ttlMs: number;
  serializer: Serializer;
  /** Which near-cache copy of the key this read wants: '' whole value, else its fields. */
  nearVariant: string;
  /**
   * Skip the near cache: a tagged value goes stale when its tag is invalidated, which Redis's
   * key tracking does not report for the value's key.
   */
  bypassNear?: boolean;
}

/**
 * Cache-aside with fill leases (docs/architecture.md, "Fill leases"):
 * - hit: return it; maybe refresh early (XFetch) if this reader can take the lease;
 * - miss: `SET lease token NX PX leaseTtl`; the winner loads and fills with a script that writes
 *   only while its token is still the lease (an invalidation deletes the lease, so a fill that
 *   raced a committed change writes nothing);
 * - loser: polls the key with backoff; takes the lease itself if it disappears without a value
 *   (holder failed, or an invalidation removed it); after `leaseWaitMs` calls the loader and
 *   returns that value WITHOUT caching it, since filling without a lease would reopen the race.
 */
export class ReadThrough {
  private readonly redis: RedisClient;
  private readonly options: ResolvedCacheOptions;
  private readonly metrics: CacheMetrics;
  private readonly latency: CacheLatencyMetrics;
  private readonly near: NearCache | undefined;

  constructor(
    redis: RedisClient,
    options: ResolvedCacheOptions,
    metrics: CacheMetrics,
    latency: CacheLatencyMetrics,
    near?: NearCache,
  ) {
    this.redis = redis;
    this.options = options;
    this.metrics = metrics;
    this.latency = latency;
    this.near = near;
  }

  /**
   * The near cache's answer, if it has one. Called before a read's context is built, so a near
   * hit allocates nothing but its value.
   */
  nearValue<T>(key: string, variant: string, serializer: Serializer): T | typeof NOT_NEAR {
    if (this.near === undefined || !this.near.covers(key)) return NOT_NEAR;
    const copy = this.near.get(key, variant);
    if (copy === undefined) return NOT_NEAR;
    return fromNearCopy(copy, serializer, this.near.options.shareValues) as T;
  }

  /**
   * A read that `nearValue` did not answer. One async frame around the Redis read, and no
   * closure per read: a Redis hit should cost little more than its GET (bench:cache).
   */
  async read<L, T>(context: Context<L, T>): Promise<CacheRead<T>> {
    const started = performance.now();
    const near = this.near;
    // Only what Redis held after this point may be kept near.
    const admission =
      near !== undefined && !context.bypassNear && near.covers(context.key)
        ? near.begin(context.key)
        : undefined;
    let source: ReadSource = 'loader';
    try {
      let found;
      try {
        found = await context.storage.get();
      } catch (error) {
        found = this.redisFailed(error);
      }
      const result = await this.answer(context, admission, found);
      // Never 'near': nearValue answers those before a read begins.
      source = result.source as ReadSource;
      return result;
    } finally {
      if (admission) near!.abandon(admission);
      this.latency.readDuration.observe(source, (performance.now() - started) / 1000);
    }
  }

  /** Keeps what the read found in Redis near, if the read began an admission. */
  private admit<L, T>(
    context: Context<L, T>,
    admission: Admission | undefined,
    found: { value: T; expiresAtMs: number | undefined },
  ): void {
    if (!admission) return;
    const near = this.near!;
    const text = context.serializer.serialize(found.value);
    const copy = nearCopy(text, context.serializer, near.options.shareValues);
    near.admit(admission, context.nearVariant, copy, 2 * text.length, found.expiresAtMs);
  }

  /**
   * What a read does with what its GET found. A plain hit is answered without a promise (no
   * async frame of its own); everything else continues asynchronously.
   */
  private answer<L, T>(
    context: Context<L, T>,
    admission: Admission | undefined,
    found: Found<T> | undefined | typeof REDIS_FAILED,
  ): CacheRead<T> | Promise<CacheRead<T>> {
    if (found === REDIS_FAILED) return this.loadUncached(context);
    if (found) {
      this.metrics.hits.inc();
      if (
        this.options.leases &&
        shouldRefreshEarly(
          found.loadMs,
          found.expiresAtMs === undefined ? -1 : Math.max(0, found.expiresAtMs - Date.now()),
          this.options.earlyRefreshBeta,
          this.options.random,
        )
      ) {
        return this.refreshEarly(context, found.value);
      }
      this.admit(context, admission, found);
      return { value: found.value, source: 'cache' };
    }
    return this.readMiss(context, admission);
  }

  private async readMiss<L, T>(
    context: Context<L, T>,
    admission: Admission | undefined,
  ): Promise<CacheRead<T>> {
    this.metrics.misses.inc();
    if (!this.options.leases) return this.loadAndFillUnleased(context);
    const lease = await this.redisOr(() => this.acquire(context));
    if (lease === REDIS_FAILED) return this.loadUncached(context);
    if ('found' in lease) return { value: lease.found, source: 'cache' };
    if (lease.token) return this.loadAndFill(context, lease.token);
    return this.waitForFill(context, admission);
  }

  private async refreshEarly<L, T>(context: Context<L, T>, cached: T): Promise<CacheRead<T>> {
    const token = await this.redisOr(() => this.tryLease(context.leaseKey));
    // Someone else is already refreshing (or loading after an invalidation): the cached value
    // has not expired, so serve it.
    if (!token || token === REDIS_FAILED) return { value: cached, source: 'cache' };
    this.metrics.earlyRefreshes.inc();
    try {
      return { ...(await this.loadAndFill(context, token)), earlyRefresh: true };
    } catch {
      // The value in hand is still valid until its TTL; a failed early refresh is not the caller's problem.
      return { value: cached, source: 'cache' };
    }
  }

  private async waitForFill<L, T>(
    context: Context<L, T>,
    admission: Admission | undefined,
  ): Promise<CacheRead<T>> {
    const deadline = Date.now() + this.options.leaseWaitMs;
    for (let attempt = 0; ; attempt++) {
      await sleep(backoffDelay(attempt, WAIT_BACKOFF, this.options.random));
      const found = await this.redisOr(() => context.storage.get());
      if (found === REDIS_FAILED) return this.loadUncached(context);
      if (found) {
        this.metrics.leaseWaits.inc({ outcome: 'hit' });
        this.admit(context, admission, found);
        return { value: found.value, source: 'cache', waitedForLease: true };
      }
      const lease = await this.redisOr(() => this.acquire(context));
      if (lease === REDIS_FAILED) return this.loadUncached(context);
      if ('found' in lease) {
        this.metrics.leaseWaits.inc({ outcome: 'hit' });
        return { value: lease.found, source: 'cache', waitedForLease: true };
      }
      if (lease.token) {
        this.metrics.leaseWaits.inc({ outcome: 'took_lease' });
        return { ...(await this.loadAndFill(context, lease.token)), waitedForLease: true };
      }
      if (Date.now() >= deadline) {
        this.metrics.leaseWaits.inc({ outcome: 'timeout' });
        return { ...(await this.loadUncached(context)), waitedForLease: true };
      }
    }
  }

  /**
   * Loads and fills under the lease. A fill is not kept near even when written: Redis reports
   * the fill's own SET to every tracking connection, ours included, and in broadcast mode it
   * merges all changes of a key made in one event-loop turn into one message, so this process
   * cannot tell its own fill's notification from a change right after it. The next read's
   * Redis hit (a GET writes nothing) keeps the value near.
   */
  private async loadAndFill<L, T>(context: Context<L, T>, token: string): Promise<CacheRead<T>> {
    const ttlMs = this.ttl(context);
    let loaded: L;
    let loadMs: number;
    let encoded: Encoded | undefined;
    const began = await this.beginLoad(context, token);
    if (began === REDIS_FAILED) return this.loadUncached(context);
    try {
      ({ loaded, loadMs } = await this.timedLoad(context.loader));
      encoded = context.storage.encode(loaded, loadMs, ttlMs);
    } catch (error) {
      await this.release(context.leaseKey, token);
      throw error;
    }
    const value = context.storage.project(loaded);
    if (!encoded || encoded.bytes > this.options.maxValueBytes) {
      if (encoded) this.metrics.tooLarge.inc();
      await this.release(context.leaseKey, token);
      return { value, source: 'loader', fill: encoded ? 'too_large' : 'not_cached' };
    }
    const ready = encoded;
    const written = await this.redisOr(() =>
      this.timedFill(() => context.storage.fillLeased(token, ready, ttlMs)),
    );
    if (written === REDIS_FAILED) return { value, source: 'loader', fill: 'not_cached' };
    (written ? this.metrics.fills : this.metrics.fillsRefused).inc();
    return { value, source: 'loader', fill: written ? 'written' : 'refused' };
  }

  private async loadAndFillUnleased<L, T>(context: Context<L, T>): Promise<CacheRead<T>> {
    if ((await this.beginLoad(context)) === REDIS_FAILED) return this.loadUncached(context);
    const { loaded, loadMs } = await this.timedLoad(context.loader);
    const value = context.storage.project(loaded);
    const ttlMs = this.ttl(context);
    const encoded = context.storage.encode(loaded, loadMs, ttlMs);
    if (!encoded) return { value, source: 'loader', fill: 'not_cached' };
    if (encoded.bytes > this.options.maxValueBytes) {
      this.metrics.tooLarge.inc();
      return { value, source: 'loader', fill: 'too_large' };
    }
    const failed = await this.redisOr(() =>
      this.timedFill(() => context.storage.fillUnleased(encoded, ttlMs)),
    );
    if (failed !== REDIS_FAILED) this.metrics.fills.inc();
    return { value, source: 'loader', fill: failed === REDIS_FAILED ? 'not_cached' : 'written' };
  }

  /** The storage's step before a load; a failure gives the lease (if any) back. */
  private async beginLoad<L, T>(
    context: Context<L, T>,
    token?: string,
  ): Promise<void | typeof REDIS_FAILED> {
    if (!context.storage.beginLoad) return;
    const begin = context.storage.beginLoad.bind(context.storage);
    let began: void | typeof REDIS_FAILED;
    try {
      began = await this.redisOr(begin);
    } catch (error) {
      if (token) await this.release(context.leaseKey, token);
      throw error;
    }
    if (began === REDIS_FAILED && token) await this.release(context.leaseKey, token);
    return began;
  }

  private async loadUncached<L, T>(context: Context<L, T>): Promise<CacheRead<T>> {
    const { loaded } = await this.timedLoad(context.loader);
    return { value: context.storage.project(loaded), source: 'loader', fill: 'not_cached' };
  }

  private async timedLoad<L>(loader: () => Promise<L>): Promise<{ loaded: L; loadMs: number }> {
    const started = performance.now();
    try {
      const loaded = await loader();
      return { loaded, loadMs: performance.now() - started };
    } catch (error) {
      this.metrics.loadErrors.inc();
      throw new FreshenError(
        'LOADER_FAILED',
        `cache loader failed: ${(error as Error)?.message ?? String(error)}. The lease was released and nothing was cached; the loader's error is this error's cause.`,
        {
          cause: error,
        },
      );
    } finally {
      this.metrics.loadDuration.observe((performance.now() - started) / 1000);
    }
  }

  private async timedFill<R>(fill: () => Promise<R>): Promise<R> {
    const started = performance.now();
    try {
      return await fill();
    } finally {
      this.latency.fillDuration.observe((performance.now() - started) / 1000);
    }
  }

  /**
   * Takes the lease of a key that was missing a moment ago. SET NX and EXISTS go in one round
   * trip, in that order: if another reader filled (and so released its lease) between our read
   * and our SET, EXISTS sees the value and we use it instead of loading a second time. A fill
   * after our SET cannot happen: it would need its token to be the lease, which is now ours.
   */
  private async acquire<L, T>(
    context: Context<L, T>,
  ): Promise<{ token: string | undefined } | { found: T }> {
    const token = randomBytes(LEASE_TOKEN_BYTES).toString('base64url');
    const replies = await this.redis
      .pipeline()
      .set(context.leaseKey, token, 'PX', this.options.leaseTtlMs, 'NX')
      .exists(context.key)
      .exec();
    const [setReply, existsReply] = replies ?? [];
    if (setReply?.[0]) throw setReply[0];
    if (existsReply?.[0]) throw existsReply[0];
    const taken = setReply?.[1] === 'OK' ? token : undefined;
    if (existsReply?.[1] === 1) {
      const found = await context.storage.get();
      if (found) {
        if (taken) await this.release(context.leaseKey, taken);
        return { found: found.value };
      }
      // Something unreadable (a STRING where a hash belongs): the lease outcome stands.
    }
    return { token: taken };
  }

  private async tryLease(leaseKey: string): Promise<string | undefined> {
    const token = randomBytes(LEASE_TOKEN_BYTES).toString('base64url');
    const taken = await this.redis.set(leaseKey, token, 'PX', this.options.leaseTtlMs, 'NX');
    return taken === 'OK' ? token : undefined;
  }

  private async release(leaseKey: string, token: string): Promise<void> {
    // Best effort: if this fails the lease expires after leaseTtlMs.
    await releaseLease
      .run(this.redis, [leaseKey], [token])
      .catch(() => this.metrics.redisErrors.inc());
  }

  private ttl(context: { ttlMs: number }): number {
    return jitteredTtl(context.ttlMs, this.options.ttlJitter, this.options.random);
  }

  /**
   * Runs a step made only of Redis commands (storage reads and fills catch their own decoding
   * errors), so anything it throws is a Redis failure; with onRedisError 'load' that becomes
   * REDIS_FAILED and the read is served by the loader without caching.
   */
  private async redisOr<R>(step: () => Promise<R>): Promise<R | typeof REDIS_FAILED> {
    try {
      return await step();
    } catch (error) {
      return this.redisFailed(error);
    }
  }

  /** A Redis step threw `error`: rethrown with onRedisError 'throw', else counted. */
  private redisFailed(error: unknown): typeof REDIS_FAILED {
    if (this.options.onRedisError === 'throw') throw error;
    this.metrics.redisErrors.inc();
    return REDIS_FAILED;
  }
}
