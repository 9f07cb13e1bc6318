import { EXAMPLE_SCHEMA_SQL, ExampleStore } from '@freshen/example';
import {
  newPgClient,
  newRedis,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import pg from 'pg';
import { deleteKeyspace, runConsistencyCheck } from '../src/consistency-run.ts';
import { createFixture } from '../src/fixture.ts';
import { startPipeline } from '../src/pipeline.ts';

/**
 * The must-show stress test: many concurrent readers (getOrLoad with leases) and writers for a
 * bounded time through the real pipeline (cdc-reader and invalidator as child processes, Kafka,
 * Redis); after the pipeline drains, every cached key equals its row.
 */
const cleanup = useCleanup();
const redis = newRedis(cleanup);

it('ends with zero stale keys after the pipeline drains', async () => {
  const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'stress');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  const fixture = await createFixture(db, schema, { users: 20, teams: 4, products: 8 });
  const name = uniqueName('stress');
  const keyPrefix = name;
  cleanup.add('cache keys', () => deleteKeyspace(redis, keyPrefix));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 24 });
  cleanup.add('pool', () => pool.end());
  const pipeline = await startPipeline({
    databaseUrl,
    kafkaBrokers,
    redisUrl,
    schema,
    keyPrefix,
    name,
  });
  cleanup.add('pipeline', () => pipeline.close());

  const result = await runConsistencyCheck({
    redis,
    pipeline,
    store: new ExampleStore(pool, schema),
    db,
    fixture,
    keyPrefix,
    leases: true,
    durationMs: 8_000,
    readers: 16,
    writers: 4,
    writePauseMs: 20,
    loadDelayMs: 200,
  });
  const { stale, ...figures } = result;
  process.stderr.write(
    `pipeline stress: ${JSON.stringify({ ...figures, staleKeys: stale.length })}\n`,
  );

  expect(result.errors).toBe(0);
  expect(result.writes).toBeGreaterThan(100);
  expect(result.checked).toBeGreaterThan(100);
  expect(
    await pipeline.invalidator.metric('freshen_invalidator_events_total'),
  ).toBeGreaterThanOrEqual(result.writes);
  expect(stale).toEqual([]);
}, 120_000);
