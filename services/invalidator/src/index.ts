export {
  createBatchProcessor,
  type AppliedBatch,
  type BatchProcessorOptions,
  type RedisHealthListener,
} from './batch-processor.ts';
export { CONFIG_SCHEMA, readInvalidatorConfig, type InvalidatorConfig } from './config.ts';
export { startInvalidator, type Invalidator, type InvalidatorOptions } from './invalidator.ts';
export { createMetrics, type InvalidatorMetrics } from './ops/metrics.ts';
export { planBatch, type BatchPlan, type PlanStep } from './plan/batch-plan.ts';
export {
  RedisApplier,
  type ApplyResult,
  type RedisWork,
  type RefreshCommand,
} from './redis/redis-applier.ts';
export { createRedisClient, type RedisTarget } from './redis/redis-client.ts';
export { truncateKeys, type TruncateOptions } from './redis/truncate-keys.ts';
export { loadRules } from './rules/load-rules.ts';
