import { Counter, Histogram, Registry } from 'prom-client';
import { TallyCounter } from './tally-counter.ts';

/** Why a reader that found another reader's lease stopped waiting. */
export type LeaseWaitOutcome = 'hit' | 'took_lease' | 'timeout';

/**
 * The cache's Prometheus metrics, registered on the host application's prom-client registry
 * (so they appear on its /metrics). Label sets are small and fixed. One set per registry:
 * every CacheClient given the same registry shares it (see `cacheMetricsFor`).
 */
export class CacheMetrics {
  readonly hits: TallyCounter;
  readonly misses: TallyCounter;
  readonly leaseWaits: Counter<'outcome'>;
  readonly fills: Counter;
  readonly fillsRefused: Counter;
  readonly tooLarge: Counter;
  readonly earlyRefreshes: Counter;
  readonly loadErrors: Counter;
  readonly redisErrors: Counter;
  readonly loadDuration: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.hits = new TallyCounter({
      name: 'freshen_cache_hits_total',
      help: 'Reads answered from Redis.',
      registry,
    });
    this.misses = new TallyCounter({
      name: 'freshen_cache_misses_total',
      help: 'Reads that found no value in Redis (before any lease wait).',
      registry,
    });
    this.leaseWaits = new Counter({
      name: 'freshen_cache_lease_waits_total',
      help: "Reads that found another reader's fill lease and waited; outcome: hit (value arrived), took_lease (the lease went away and this reader loaded), timeout (loaded without caching).",
      labelNames: ['outcome'],
      registers,
    });
    this.fills = new Counter({
      name: 'freshen_cache_fills_total',
      help: 'Values written to Redis under a lease.',
      registers,
    });
    this.fillsRefused = new Counter({
      name: 'freshen_cache_fills_refused_total',
      help: 'Fills not written because the lease was gone: an invalidation (or refresh) ran while the value was loading, so the loaded value may be stale.',
      registers,
    });
    this.tooLarge = new Counter({
      name: 'freshen_cache_values_too_large_total',
      help: 'Loaded values not cached because their serialized size exceeded maxValueBytes.',
      registers,
    });
    this.earlyRefreshes = new Counter({
      name: 'freshen_cache_early_refreshes_total',
      help: 'Hits that reloaded the value before expiry (XFetch probabilistic early refresh).',
      registers,
    });
    this.loadErrors = new Counter({
      name: 'freshen_cache_load_errors_total',
      help: 'Loader calls that threw (the error reached the caller, or was ignored during an early refresh).',
      registers,
    });
    this.redisErrors = new Counter({
      name: 'freshen_cache_redis_errors_total',
      help: 'Redis commands that failed; the read fell back to the loader without caching.',
      registers,
    });
    this.loadDuration = new Histogram({
      name: 'freshen_cache_load_duration_seconds',
      help: 'Time spent in loaders (successful or not).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
  }
}

const byRegistry = new WeakMap<Registry, CacheMetrics>();

/** The metrics registered on `registry`, created on first use (prom-client rejects duplicates). */
export function cacheMetricsFor(registry: Registry): CacheMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new CacheMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

/** Metrics for a client given no registry: counted, but on a private registry nobody scrapes. */
export function privateCacheMetrics(): CacheMetrics {
  return new CacheMetrics(new Registry());
}
