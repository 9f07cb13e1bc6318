import { Histogram, Registry } from 'prom-client';
import { FixedLabelHistogram } from './fixed-label-histogram.ts';

/** Where a read's value came from: Redis, or this call's loader (miss, early refresh, fallback). */
export type ReadSource = 'cache' | 'loader';

/**
 * Latency histograms of the cache client, beside the counters in cache-metrics.ts: the p50/p99
 * an operator asks for ("how long does a read take, hit or miss; how long does Redis take to
 * take a fill"). Loader time has its own histogram there (freshen_cache_load_duration_seconds).
 */
export class CacheLatencyMetrics {
  /** A whole read as the caller waits for it: Redis round trips, lease waits and any load. */
  readonly readDuration: FixedLabelHistogram<ReadSource>;
  /** The Redis write of a loaded value (the lease-checked fill script, or SET without leases). */
  readonly fillDuration: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    // Observed on every read that reaches Redis: the cheap histogram (see its file).
    this.readDuration = new FixedLabelHistogram({
      name: 'freshen_cache_read_duration_seconds',
      help: 'Time of a cache read as its caller waits (lease waits and loads included); source: cache (answered by Redis) or loader (this read loaded the value).',
      label: 'source',
      values: ['cache', 'loader'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registry,
    });
    this.fillDuration = new Histogram({
      name: 'freshen_cache_fill_duration_seconds',
      help: 'Time for Redis to take a loaded value (lease-checked fill, or SET without leases); loads excluded.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
  }
}

const byRegistry = new WeakMap<Registry, CacheLatencyMetrics>();

/** The latency metrics on `registry`, created on first use (prom-client rejects duplicates). */
export function cacheLatencyMetricsFor(registry: Registry = new Registry()): CacheLatencyMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new CacheLatencyMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
