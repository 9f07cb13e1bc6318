export { CacheClient } from './cache-client.ts';
export { DEFAULT_CACHE_OPTIONS, type CacheOptions, type ReadOptions } from './cache-options.ts';
export type { RedisClient } from '@freshen/storage';
export {
  CacheLatencyMetrics,
  cacheLatencyMetricsFor,
  type ReadSource,
} from './metrics/cache-latency-metrics.ts';
export { CacheMetrics, cacheMetricsFor, type LeaseWaitOutcome } from './metrics/cache-metrics.ts';
export { NearCacheMetrics, nearCacheMetricsFor } from './metrics/near-cache-metrics.ts';
export type { FlushReason, NearCache } from './near/near-cache.ts';
export type { NearCacheOptions } from './near/near-cache-options.ts';
export type { CacheRead, FillOutcome } from './reading/read-through.ts';
export { jitteredTtl } from './reading/ttl-jitter.ts';
export { shouldRefreshEarly } from './reading/xfetch.ts';
export { jsonSerializer, type Serializer } from './serializers/serializer.ts';
export { planFromModule, type WarmPlan, type WarmPlanModule } from './warming/warm-plan.ts';
export {
  warm,
  type WarmEntry,
  type WarmOptions,
  type WarmProgress,
  type WarmSummary,
} from './warming/warm.ts';
export { readRedisTarget, type ConnectRedisOptions, type RedisTarget } from '@freshen/redis-client';
export type { Tag, TagKind } from '@freshen/keys';
// For tools that inspect stored values (a consistency check): is a tagged value still current?
export { generationsCurrent } from './tags/tagged-value-storage.ts';
