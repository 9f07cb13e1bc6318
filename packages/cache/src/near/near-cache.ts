import type { NearCacheMetrics } from '../metrics/near-cache-metrics.ts';
import type { ResolvedNearCacheOptions } from './near-cache-options.ts';
import { BoundedLru } from './bounded-lru.ts';

/** Why the whole near cache was emptied. */
export type FlushReason = 'connection_lost' | 'server_flush' | 'topology_change' | 'closed';

/**
 * A read in flight that may put what it finds into the near cache. The Redis reply and the
 * invalidation of the same key arrive on different connections, in either order; a read that
 * saw an invalidation of its key (or a flush) while in flight may hold the old value, so it
 * must not admit it (Redis's client-side caching docs describe this race).
 */
export interface Admission {
  readonly key: string;
  readonly epoch: number;
  invalidated: boolean;
}

/**
 * The in-process tier in front of Redis. Copies are evicted when Redis says the key changed
 * (see invalidation-tracker.ts), when their own TTL or the Redis expiry recorded with the value
 * passes, or by size. It serves nothing while the invalidation path is down, and empties itself
 * whenever that path is lost. A copy is opaque here: reading/near-copy.ts decides what is kept
 * (text, a JsonCopy, or with `shareValues` one deep-frozen value) and how a hit reads it.
 */
export class NearCache {
  readonly options: ResolvedNearCacheOptions;
  private readonly lru: BoundedLru;
  private readonly metrics: NearCacheMetrics;
  /** Reads in flight per key; only these need to learn about invalidations. */
  private readonly inFlight = new Map<string, Set<Admission>>();
  /** Bumped by every flush: reads that began before it admit nothing. */
  private epoch = 0;
  private serving = false;
  private readonly invalidationListeners = new Set<(key: string, atMs: number) => void>();
  private readonly hitListeners = new Set<(key: string, admittedAtMs: number) => void>();
  private droppingInvalidations = false;

  constructor(options: ResolvedNearCacheOptions, metrics: NearCacheMetrics) {
    this.options = options;
    this.metrics = metrics;
    this.lru = new BoundedLru({
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      onEvict: (reason) => metrics.evictions.inc({ reason }),
    });
  }

  /** Whether `key` may be kept here at all: only keys Redis reports changes of. */
  covers(key: string): boolean {
    // A loop, not `some` with a closure: this runs on every read.
    for (const prefix of this.options.prefixes) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** The copy of `key`'s `variant`, if held and the invalidation path is up. */
  get(key: string, variant: string): unknown {
    if (!this.serving) return undefined;
    const copy = this.lru.get(key, variant, Date.now());
    if (copy === undefined) {
      this.metrics.misses.inc();
      return undefined;
    }
    this.metrics.hits.inc();
    if (this.hitListeners.size > 0) {
      const admittedAtMs = this.lru.admittedAtMs(key)!;
      for (const listener of this.hitListeners) listener(key, admittedAtMs);
    }
    return copy;
  }

  /** Call before asking Redis; pass the result to `admit` (or `abandon`) when done. */
  begin(key: string): Admission {
    const admission: Admission = { key, epoch: this.epoch, invalidated: false };
    let readers = this.inFlight.get(key);
    if (!readers) this.inFlight.set(key, (readers = new Set()));
    readers.add(admission);
    return admission;
  }

  /**
   * Keeps a copy of what the read found in Redis (or wrote there under its lease), unless the
   * key was invalidated or the cache flushed since `begin`. Expires at the earlier of the near
   * TTL and the Redis expiry stored with the value. `bytes` is what the copy counts towards
   * maxBytes.
   */
  admit(
    admission: Admission,
    variant: string,
    copy: unknown,
    bytes: number,
    redisExpiresAtMs?: number,
  ): void {
    this.abandon(admission);
    if (!this.serving || admission.invalidated || admission.epoch !== this.epoch) return;
    const nearExpiry = Date.now() + this.options.ttlMs;
    const expiresAtMs =
      redisExpiresAtMs === undefined ? nearExpiry : Math.min(nearExpiry, redisExpiresAtMs);
    this.lru.set(admission.key, variant, copy, bytes, expiresAtMs);
    this.updateSize();
  }

  abandon(admission: Admission): void {
    const readers = this.inFlight.get(admission.key);
    if (!readers) return;
    readers.delete(admission);
    if (readers.size === 0) this.inFlight.delete(admission.key);
  }

  /** Redis reported that `key` changed (written, deleted, expired or evicted) at `atMs` (performance.now()). */
  invalidate(key: string, atMs: number = performance.now()): void {
    if (this.droppingInvalidations) return;
    this.metrics.invalidations.inc();
    const readers = this.inFlight.get(key);
    if (readers) for (const reader of readers) reader.invalidated = true;
    if (this.lru.delete(key)) this.updateSize();
    for (const listener of this.invalidationListeners) listener(key, atMs);
  }

  /** Empties the cache; reads in flight admit nothing. */
  flush(reason: FlushReason): void {
    this.epoch++;
    this.metrics.flushes.inc({ reason });
    this.lru.clear();
    this.updateSize();
  }

  /** The invalidation path is up (true) or lost (false: flushed, and nothing is served). */
  setServing(serving: boolean, reason: FlushReason = 'connection_lost'): void {
    if (!serving && this.serving) this.flush(reason);
    else this.epoch++; // reads that began while the path was down may hold stale values
    this.serving = serving;
  }

  get isServing(): boolean {
    return this.serving;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.lru.size, bytes: this.lru.bytes };
  }

  /**
   * Called with each invalidated key and when it arrived, on the performance.now() clock, after
   * the copy is gone (benchmarks, the consistency check).
   */
  onInvalidation(listener: (key: string, atMs: number) => void): () => void {
    this.invalidationListeners.add(listener);
    return () => this.invalidationListeners.delete(listener);
  }

  /**
   * Called on every near hit with the key and when its entry was admitted (performance.now()),
   * so the consistency check can tell a copy served after a change it should have evicted.
   */
  onHit(listener: (key: string, admittedAtMs: number) => void): () => void {
    this.hitListeners.add(listener);
    return () => this.hitListeners.delete(listener);
  }

  /**
   * Fault injection for the consistency check's negative control ONLY: from now on
   * invalidations are ignored, as if their delivery had silently failed, so the check must
   * find near copies served stale. Never call this in an application.
   */
  dropInvalidationsForFaultTest(): void {
    this.droppingInvalidations = true;
  }

  private updateSize(): void {
    this.metrics.entries.set(this.lru.size);
    this.metrics.bytes.set(this.lru.bytes);
  }
}
