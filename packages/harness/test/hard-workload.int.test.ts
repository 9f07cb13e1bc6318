import { EXAMPLE_SCHEMA_SQL, ExampleStore, PG_SESSION_OPTIONS } from '@freshen/example';
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
 * A short smoke of check:consistency's hard steps (the full checker is a command, not part of
 * npm test): primary-key moves, delete + re-insert, double updates, a long transaction, and
 * TRUNCATE of orders and team_members under held loads, with leases, through the pipeline.
 * Every held fill is refused and no key is stale once the pipeline drained.
 */
const cleanup = useCleanup();
const redis = newRedis(cleanup);

it('runs PK moves, truncates under held loads and a late commit, and ends with zero stale keys', async () => {
  const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'hard');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  const fixture = await createFixture(db, schema, { users: 12, teams: 3, products: 4 });
  const name = uniqueName('hard');
  cleanup.add('cache keys', () => deleteKeyspace(redis, name));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 24, options: PG_SESSION_OPTIONS });
  cleanup.add('pool', () => pool.end());
  const pipeline = await startPipeline({
    databaseUrl,
    kafkaBrokers,
    redisUrl,
    schema,
    keyPrefix: name,
    name,
  });
  cleanup.add('pipeline', () => pipeline.close());

  const result = await runConsistencyCheck({
    redis,
    pipeline,
    store: new ExampleStore(pool, schema),
    db,
    fixture,
    keyPrefix: name,
    leases: true,
    durationMs: 4_000,
    readers: 8,
    writers: 3,
    writePauseMs: 20,
    loadDelayMs: 100,
    hard: { pool, schema, pkMoves: 6, truncates: true, heldLoads: 6, longTransaction: true },
  });
  const { stale, ...figures } = result;
  process.stderr.write(
    `hard workload: ${JSON.stringify({ ...figures, staleKeys: stale.length })}\n`,
  );

  expect(result.errors).toBe(0);
  expect(result.pkMoves).toBeGreaterThanOrEqual(3);
  expect(fixture.formerUserIds).toHaveLength(result.pkMoves);
  expect(result.longTransactionWrites).toBe(6);
  expect(result.truncates.map((t) => t.table)).toEqual(['orders', 'team_members']);
  expect(result.truncates.reduce((sum, t) => sum + t.heldFillsWritten, 0)).toBe(0);
  expect(stale).toEqual([]);
}, 90_000);
