export { CONFIG_SCHEMA, readApiConfig, type ApiConfig } from './config.ts';
export { CachedReads } from './data/cached-reads.ts';
export { ExampleStore } from './data/example-store.ts';
export type { Membership, Order, Product, Team, User } from './data/rows.ts';
export { startExampleApi, type ExampleApi } from './example-api.ts';
export {
  deleteKeyspace,
  runConsistencyCheck,
  type ConsistencyResult,
} from './harness/consistency-run.ts';
export { dashboardLines, type Scrape } from './harness/dashboard.ts';
export { createFixture, type Fixture, type FixtureSize } from './harness/fixture.ts';
export { runHttpWorkload, type HttpWorkloadCounts } from './harness/http-workload.ts';
export {
  EXAMPLE_TABLES,
  startPipeline,
  type Pipeline,
  type PipelineSettings,
} from './harness/pipeline.ts';
export { pollUntil } from './harness/poll-until.ts';
export { PIPELINE_STACK_OPTIONS } from './harness/harness-config.ts';
export { parseMetrics, type MetricSnapshot } from './harness/prom-text.ts';
export { findRepoRoot } from './harness/repo-root.ts';
export { spawnService, type ServiceProcess } from './harness/service-process.ts';
