// The consistency checker (docs/architecture.md, "Measuring it"): races readers against writers
// through the real pipeline and counts the cached keys that disagree with their rows, exactly
// (text form included), once the pipeline has drained; each stale key is given a cause.
//   npm run check:consistency          (stack from .stack/env; its own slot, schema and keys)
// Runs: CHECK_RUNS runs with leases on a single Redis, one run without leases (it must find
// stale keys, or the check could not fail), then (CHECK_CLUSTER) one run with leases on Redis
// Cluster. Every run: CHECK_INVALIDATORS invalidators in one group, PK moves, delete + re-insert
// of a key, rows updated twice in one transaction, a long transaction committed late, TRUNCATE
// of orders and team_members under held loads, and a cdc-reader failover to a standby.
// Exit 1 if a run with leases has a stale key (or a held fill was written, or a workload
// error), or the run without leases has none; figures on stdout, .bench/consistency.json.
// Environment (defaults):
//   CHECK_RUNS (1)               runs with leases on, single Redis
//   CHECK_CLUSTER (true)         one more run with leases on Redis Cluster (REDIS_CLUSTER_NODES)
//   CHECK_INVALIDATORS (2)       invalidator instances in the consumer group
//   CHECK_PK_MOVES (30)          primary-key moves per run
//   CHECK_TRUNCATES (true)       truncates of orders and team_members under held loads
//   CHECK_HELD_LOADS (10)        reads held across each truncate
//   CHECK_LONG_TRANSACTION (true) one transaction open from 10 % to 60 % of each run
//   CHECK_FAILOVER (true)        standby reader; SIGKILL/SIGTERM (alternating) the active at 50 %
//   CHECK_DURATION_SECONDS (10), CHECK_READERS (16), CHECK_WRITERS (4),
//   CHECK_WRITE_PAUSE_MS (20), CHECK_LOAD_DELAY_MS (200)
//   CHECK_NEAR_CACHE (true)      readers use the near cache; each near hit is audited
//   CHECK_NEAR_BOUND_MS (250)    a near hit later than this after its key changed fails the check
//   CHECK_NEAR_DELIVERY_OFF_RUN (true) one more run with near invalidations dropped: it must
//                                find late near reads
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@freshen/cache';
import { ConfigError, toHostPort } from '@freshen/config';
import { EXAMPLE_SCHEMA_SQL, ExampleStore, PG_SESSION_OPTIONS } from '@freshen/example';
import { CloseList } from '@freshen/runtime';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import {
  figuresLine,
  runFigures,
  verdictOf,
  writeConsistencyReport,
  type RunFigures,
} from '../consistency-report.ts';
import { deleteKeyspace, runConsistencyCheck, type ConsistencyResult } from '../consistency-run.ts';
import { createFixture } from '../fixture.ts';
import { readHarnessConfig } from '../harness-config.ts';
import { startPipeline } from '../pipeline.ts';
import { findRepoRoot } from '../repo-root.ts';

let config;
try {
  config = readHarnessConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) process.stderr.write(`config: ${problem}\n`);
  process.exit(78);
}

const name = `consistency_${randomBytes(4).toString('hex')}`;
const closeList = new CloseList();
const say = (line: string) => process.stderr.write(`${line}\n`);
const startedAt = new Date().toISOString();
const runs: { figures: RunFigures; result: ConsistencyResult }[] = [];
let failed = false;
try {
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  closeList.add('postgres', () => db.end());
  await db.query(EXAMPLE_SCHEMA_SQL(name));
  closeList.add('schema', () => db.query(`drop schema if exists ${name} cascade`));
  const fixture = await createFixture(db, name, { users: 20, teams: 4, products: 8 });
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.readers + config.writers + config.heldLoads + 6,
    options: PG_SESSION_OPTIONS,
  });
  closeList.add('pool', () => pool.end());
  const store = new ExampleStore(pool, name);

  const measure = async (
    redis: RedisClient,
    mode: 'standalone' | 'cluster',
    pipelineName: string,
    runKinds: { leases: boolean; tagFencing?: boolean; nearDelivery?: boolean }[],
  ) => {
    closeList.add(`${mode} cache keys`, () => deleteKeyspace(redis, name));
    say(
      `starting cdc-reader${config.failover ? ' (and a standby)' : ''} and ${config.invalidators} invalidators on ${mode} Redis (slot, topics, group ${pipelineName}; schema and keyspace ${name})`,
    );
    const pipeline = await startPipeline({
      databaseUrl: config.databaseUrl,
      kafkaBrokers: config.kafkaBrokers,
      redisUrl: config.redisUrl,
      schema: name,
      keyPrefix: name,
      name: pipelineName,
      invalidators: config.invalidators,
      standbyReader: config.failover,
      ...(mode === 'cluster' ? { redisClusterNodes: config.clusterNodes } : {}),
    });
    try {
      for (const { leases, tagFencing = true, nearDelivery = true } of runKinds) {
        const run = runs.length + 1;
        const near = config.nearCache
          ? nearDelivery
            ? ', near cache on'
            : ', near cache on with its invalidations DROPPED'
          : '';
        const tags = tagFencing ? '' : ', tag fencing OFF';
        say(
          `run ${run}: ${leases ? 'with' : 'WITHOUT'} leases${tags} on ${mode} Redis${near}, ${config.readers} readers, ${config.writers} writers, ${config.durationMs / 1000} s, loads held up to ${config.loadDelayMs} ms...`,
        );
        const result = await runConsistencyCheck({
          redis,
          pipeline,
          store,
          db,
          fixture,
          keyPrefix: name,
          leases,
          tagFencing,
          ...config,
          ...(config.nearCache
            ? { near: { delivery: nearDelivery, boundMs: config.nearBoundMs } }
            : {}),
          hard: {
            pool,
            schema: name,
            pkMoves: config.pkMoves,
            truncates: config.truncates,
            heldLoads: config.heldLoads,
            longTransaction: config.longTransaction,
            ...(config.failover ? { failover: run % 2 === 1 ? 'SIGKILL' : 'SIGTERM' } : {}),
          },
        });
        const figures = runFigures(run, mode, config.invalidators, result);
        runs.push({ figures, result });
        process.stdout.write(`${JSON.stringify(figures)}\n`);
        say(figuresLine(figures));
      }
    } finally {
      await pipeline.close().catch((error: unknown) => {
        const steps =
          error instanceof AggregateError ? (error.errors as Error[]) : [error as Error];
        for (const step of steps) say(`cleanup (${mode} pipeline): ${step.message}`);
      });
    }
  };

  const redis = new Redis(config.redisUrl);
  closeList.add('redis', () => redis.quit());
  await measure(redis, 'standalone', name, [
    ...Array.from({ length: config.runs }, () => ({ leases: true })),
    { leases: false },
    { leases: true, tagFencing: false },
    ...(config.nearDeliveryOffRun ? [{ leases: true, nearDelivery: false }] : []),
  ]);
  if (config.clusterNodes.length > 0) {
    const cluster = new Cluster(config.clusterNodes.map(toHostPort));
    closeList.add('redis cluster', () => cluster.quit());
    await measure(cluster, 'cluster', `${name}_cluster`, [{ leases: true }]);
  }
} catch (error) {
  say(`consistency check failed: ${(error as Error).stack ?? String(error)}`);
  failed = true;
} finally {
  await closeList.close().catch((error: unknown) => {
    const steps = error instanceof AggregateError ? (error.errors as Error[]) : [error as Error];
    for (const step of steps) say(`cleanup: ${step.message}`);
  });
}
const verdict = verdictOf(runs.map((run) => run.figures));
if (runs.length > 0) {
  const file = writeConsistencyReport(findRepoRoot(), {
    startedAt,
    settings: { ...config, databaseUrl: undefined, redisUrl: undefined },
    runs,
    verdict,
  });
  say(`figures of ${runs.length} runs written to ${file}`);
}
for (const problem of verdict.problems) say(`FAIL ${problem}`);
if (verdict.ok && !failed) say('consistency check passed');
process.exit(failed || !verdict.ok ? 1 : 0);
