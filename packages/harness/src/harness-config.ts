import {
  boolean,
  ConfigError,
  hostPorts,
  integer,
  readConfig,
  url,
  withStackEnv,
  type Env,
} from '@freshen/config';

/** Where the whole pipeline runs: shared by the consistency checker and the demo. */
export const PIPELINE_STACK_OPTIONS = {
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
    doc: 'Postgres (wal_level=logical).',
  }),
  KAFKA_BROKERS: hostPorts({ doc: 'Kafka bootstrap brokers.' }),
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], secret: true, doc: 'Redis (standalone).' }),
};

/** Settings of the consistency checker: the stack, and the workload's shape. */
export const HARNESS_CONFIG_SCHEMA = {
  ...PIPELINE_STACK_OPTIONS,
  CHECK_DURATION_SECONDS: integer({
    default: 10,
    min: 1,
    max: 3600,
    doc: 'How long each mode runs its workload.',
  }),
  CHECK_READERS: integer({ default: 16, min: 1, max: 1000, doc: 'Concurrent reading loops.' }),
  CHECK_WRITERS: integer({ default: 4, min: 1, max: 1000, doc: 'Concurrent writing loops.' }),
  CHECK_WRITE_PAUSE_MS: integer({
    default: 20,
    min: 0,
    max: 10_000,
    doc: 'Each writer pauses up to this long between writes, so the pipeline keeps up (a backlog hides the race).',
  }),
  CHECK_LOAD_DELAY_MS: integer({
    default: 200,
    min: 0,
    max: 10_000,
    doc: 'Each loader is held up to this long after reading its row (a slow query), widening the race window.',
  }),
  CHECK_RUNS: integer({
    default: 1,
    min: 1,
    max: 100,
    doc: 'Runs with leases on (single Redis), one after another; then one run without leases.',
  }),
  CHECK_CLUSTER: boolean({
    default: true,
    doc: 'Also one run with leases on Redis Cluster (REDIS_CLUSTER_NODES), its own pipeline.',
  }),
  REDIS_CLUSTER_NODES: hostPorts({
    default: [],
    doc: 'Redis Cluster nodes host:port,... for CHECK_CLUSTER.',
  }),
  CHECK_INVALIDATORS: integer({
    default: 2,
    min: 1,
    max: 8,
    doc: 'Invalidator instances in the one consumer group.',
  }),
  CHECK_PK_MOVES: integer({
    default: 30,
    min: 0,
    max: 10_000,
    doc: 'Primary-key moves of users per run (name update then id update, one transaction).',
  }),
  CHECK_TRUNCATES: boolean({
    default: true,
    doc: 'TRUNCATE orders and team_members mid-run under held loads, then re-insert some rows.',
  }),
  CHECK_HELD_LOADS: integer({
    default: 10,
    min: 0,
    max: 200,
    doc: 'Reads that miss and hold their loads across each truncate.',
  }),
  CHECK_LONG_TRANSACTION: boolean({
    default: true,
    doc: 'One transaction per run opened at 10 % of the run and committed at 60 %.',
  }),
  CHECK_FAILOVER: boolean({
    default: true,
    doc: 'Run a standby cdc-reader and kill the streaming one at 50 % of each run (SIGKILL, then SIGTERM, alternating).',
  }),
  CHECK_NEAR_CACHE: boolean({
    default: true,
    doc: "Readers use the cache's near cache (nearCache); every near hit is checked against the staleness bound.",
  }),
  CHECK_NEAR_BOUND_MS: integer({
    default: 250,
    min: 1,
    doc: 'Staleness bound: a near hit served later than this after a change of its key counts as late (fails the check).',
  }),
  CHECK_NEAR_DELIVERY_OFF_RUN: boolean({
    default: true,
    doc: 'One more single-Redis run with near-cache invalidations dropped: it must find late near reads, or the check could not fail.',
  }),
};

export interface HarnessConfig {
  databaseUrl: string;
  kafkaBrokers: string[];
  redisUrl: string;
  durationMs: number;
  readers: number;
  writers: number;
  loadDelayMs: number;
  writePauseMs: number;
  runs: number;
  /** Redis Cluster nodes for the cluster run; empty when CHECK_CLUSTER=false. */
  clusterNodes: string[];
  invalidators: number;
  pkMoves: number;
  truncates: boolean;
  heldLoads: number;
  longTransaction: boolean;
  failover: boolean;
  nearCache: boolean;
  nearBoundMs: number;
  nearDeliveryOffRun: boolean;
}

/** Reads the environment once (the local stack's .stack/env fills unset variables). */
export function readHarnessConfig(
  env: Env = withStackEnv(process.env, process.cwd()),
): HarnessConfig {
  const raw = readConfig(HARNESS_CONFIG_SCHEMA, env);
  if (raw.CHECK_CLUSTER && raw.REDIS_CLUSTER_NODES.length === 0) {
    throw new ConfigError([
      'CHECK_CLUSTER=true needs REDIS_CLUSTER_NODES. Set it to host:port of the cluster nodes, or set CHECK_CLUSTER=false',
    ]);
  }
  return {
    databaseUrl: raw.DATABASE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS,
    redisUrl: raw.REDIS_URL,
    durationMs: raw.CHECK_DURATION_SECONDS * 1000,
    readers: raw.CHECK_READERS,
    writers: raw.CHECK_WRITERS,
    loadDelayMs: raw.CHECK_LOAD_DELAY_MS,
    writePauseMs: raw.CHECK_WRITE_PAUSE_MS,
    runs: raw.CHECK_RUNS,
    clusterNodes: raw.CHECK_CLUSTER ? raw.REDIS_CLUSTER_NODES : [],
    invalidators: raw.CHECK_INVALIDATORS,
    pkMoves: raw.CHECK_PK_MOVES,
    truncates: raw.CHECK_TRUNCATES,
    heldLoads: raw.CHECK_HELD_LOADS,
    longTransaction: raw.CHECK_LONG_TRANSACTION,
    failover: raw.CHECK_FAILOVER,
    nearCache: raw.CHECK_NEAR_CACHE,
    nearBoundMs: raw.CHECK_NEAR_BOUND_MS,
    nearDeliveryOffRun: raw.CHECK_NEAR_CACHE && raw.CHECK_NEAR_DELIVERY_OFF_RUN,
  };
}
