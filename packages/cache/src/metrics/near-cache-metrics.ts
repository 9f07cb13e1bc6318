import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TallyCounter } from './tally-counter.ts';

/**
 * The near cache's Prometheus metrics (CacheClient option `nearCache`), kept apart from the
 * Redis-tier metrics of cache-metrics.ts; same registry, same one-set-per-registry rule.
 */
export class NearCacheMetrics {
  readonly hits: TallyCounter;
  readonly misses: TallyCounter;
  readonly evictions: Counter<'reason'>;
  readonly entries: Gauge;
  readonly bytes: Gauge;
  readonly invalidations: Counter;
  readonly flushes: Counter<'reason'>;
  readonly staleness: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.hits = new TallyCounter({
      name: 'freshen_cache_near_hits_total',
      help: 'Reads answered from the in-process near cache (no Redis command).',
      registry,
    });
    this.misses = new TallyCounter({
      name: 'freshen_cache_near_misses_total',
      help: 'Reads of near-cached prefixes that the near cache could not answer (they went to Redis).',
      registry,
    });
    this.evictions = new Counter({
      name: 'freshen_cache_near_evictions_total',
      help: 'Near-cache entries dropped without an invalidation; reason: capacity (maxEntries/maxBytes) or expired (near TTL or the Redis expiry).',
      labelNames: ['reason'],
      registers,
    });
    this.entries = new Gauge({
      name: 'freshen_cache_near_entries',
      help: 'Keys held in the near cache.',
      registers,
    });
    this.bytes = new Gauge({
      name: 'freshen_cache_near_bytes',
      help: 'Approximate bytes of the copies held in the near cache.',
      registers,
    });
    this.invalidations = new Counter({
      name: 'freshen_cache_near_invalidations_total',
      help: 'Key invalidations received from Redis (CLIENT TRACKING), held or not.',
      registers,
    });
    this.flushes = new Counter({
      name: 'freshen_cache_near_flushes_total',
      help: 'Times the whole near cache was emptied; reason: connection_lost (a tracking connection dropped), server_flush (FLUSHALL/FLUSHDB or tracking reset), topology_change (Cluster masters changed), closed.',
      labelNames: ['reason'],
      registers,
    });
    this.staleness = new Histogram({
      name: 'freshen_cache_near_staleness_seconds',
      help: "Staleness window: time from a write's acknowledgement by Redis to this process receiving (and applying) its invalidation, measured by each tracking connection's probe key.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
  }
}

const byRegistry = new WeakMap<Registry, NearCacheMetrics>();

/** The near-cache metrics registered on `registry`, created on first use. */
export function nearCacheMetricsFor(registry: Registry): NearCacheMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new NearCacheMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
