// The consistency checker (DESIGN.md, "Measuring it"): races readers against writers through
// the real pipeline, with fill leases and then without, and counts the cached keys that
// disagree with their rows once the pipeline has drained.
//   node services/example-api/src/bin/check-consistency.ts
//   (CHECK_DURATION_SECONDS, CHECK_READERS, CHECK_WRITERS, CHECK_LOAD_DELAY_MS; stack from .stack/env)
import { randomBytes } from 'node:crypto';
import { ConfigError } from '@freshen/config';
import { EXAMPLE_SCHEMA_SQL } from '@freshen/example';
import { CloseList } from '@freshen/runtime';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ExampleStore } from '../data/example-store.ts';
import { deleteKeyspace, runConsistencyCheck } from '../harness/consistency-run.ts';
import { createFixture } from '../harness/fixture.ts';
import { readHarnessConfig } from '../harness/harness-config.ts';
import { startPipeline } from '../harness/pipeline.ts';
import { PG_SESSION_OPTIONS } from '../data/pg-session.ts';

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
    max: config.readers + config.writers + 2,
    options: PG_SESSION_OPTIONS,
  });
  closeList.add('pool', () => pool.end());
  const redis = new Redis(config.redisUrl);
  closeList.add('redis', () => redis.quit());
  closeList.add('cache keys', () => deleteKeyspace(redis, name));

  say(`starting cdc-reader and invalidator (slot, topics, group, schema and keyspace ${name})`);
  const pipeline = await startPipeline({
    databaseUrl: config.databaseUrl,
    kafkaBrokers: config.kafkaBrokers,
    redisUrl: config.redisUrl,
    schema: name,
    keyPrefix: name,
    name,
  });
  closeList.add('pipeline', () => pipeline.close());
  const store = new ExampleStore(pool, name);

  const results = [];
  for (const leases of [true, false]) {
    say(
      `${leases ? 'with' : 'WITHOUT'} leases: ${config.readers} readers, ${config.writers} writers, ${config.durationMs / 1000} s, loads held up to ${config.loadDelayMs} ms...`,
    );
    results.push(
      await runConsistencyCheck({
        redis,
        pipeline,
        store,
        db,
        fixture,
        keyPrefix: name,
        leases,
        ...config,
      }),
    );
  }
  for (const result of results) {
    const { stale, ...figures } = result;
    process.stdout.write(
      `${JSON.stringify({ ...figures, drainSeconds: Number(figures.drainSeconds.toFixed(2)), staleKeys: stale.length, staleExamples: stale.slice(0, 3).map((s) => s.key) })}\n`,
    );
  }
  const [withLeases, without] = results;
  say(
    `with leases: ${withLeases!.stale.length} stale of ${withLeases!.checked} cached keys (${withLeases!.fillsRefused} fills refused)`,
  );
  say(`without leases: ${without!.stale.length} stale of ${without!.checked} cached keys`);
  failed = withLeases!.stale.length > 0;
} catch (error) {
  say(`consistency check failed: ${(error as Error).stack ?? String(error)}`);
  failed = true;
} finally {
  await closeList.close().catch((error: unknown) => say(`cleanup: ${(error as Error).message}`));
}
process.exit(failed ? 1 : 0);
