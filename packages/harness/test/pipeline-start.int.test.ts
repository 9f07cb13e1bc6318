import { EXAMPLE_SCHEMA_SQL } from '@freshen/example';
import { newPgClient, newSchema, stackSettings, uniqueName, useCleanup } from '@freshen/test-kit';
import { startPipeline } from '../src/pipeline.ts';

const cleanup = useCleanup();

// Regression: the start-up wait raced `exit.then(() => true)` against `Promise.resolve(false)`,
// which always saw false, so a service that died at start-up cost a silent 60 s timeout.
it('fails at once with the output of a service that exits while the pipeline starts', async () => {
  const { databaseUrl, kafkaBrokers } = stackSettings();
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'start');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  const name = uniqueName('start');
  const started = startPipeline({
    databaseUrl,
    kafkaBrokers,
    // Refused by the invalidator's configuration: it exits 78 with one line naming REDIS_URL.
    redisUrl: 'not-a-redis-url',
    schema,
    keyPrefix: name,
    name,
  });
  await expect(started).rejects.toThrow(/invalidator.* exited: .*REDIS_URL/s);
}, 60_000);
