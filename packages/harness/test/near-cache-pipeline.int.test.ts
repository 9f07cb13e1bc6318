import { EXAMPLE_SCHEMA_SQL } from '@freshen/example';
import { freePort } from '@freshen/runtime';
import {
  newPgClient,
  newRedis,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { deleteKeyspace } from '../src/consistency-run.ts';
import { startPipeline } from '../src/pipeline.ts';
import { startExampleApiProcess } from '../src/example-api-process.ts';
import type { ServiceProcess } from '../src/service-process.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);

/**
 * Issue 16 through the live pipeline: two example-API processes keep a user near; an UPDATE
 * in Postgres goes cdc-reader -> Kafka -> invalidator -> Redis, and Redis's invalidation must
 * reach both processes, so each serves the new row (and keeps that near in turn).
 */
it('a committed change evicts the near copy in two application processes', async () => {
  const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'nearpipe');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  await db.query(
    `insert into ${schema}.users (id, email, name) values (1, 'a@example.com', 'Ada')`,
  );
  const name = uniqueName('nearpipe');
  cleanup.add('cache keys', () => deleteKeyspace(redis, name));
  const pipeline = await startPipeline({
    databaseUrl,
    kafkaBrokers,
    redisUrl,
    schema,
    keyPrefix: name,
    name,
    invalidators: 1,
  });
  cleanup.add('pipeline', () => pipeline.close());

  const apis: { service: ServiceProcess; port: number }[] = [];
  for (const n of [1, 2]) {
    const port = await freePort();
    const service = await startExampleApiProcess({
      name: `example-api-${n}`,
      databaseUrl,
      redisUrl,
      schema,
      keyPrefix: name,
      port,
      metricsPort: await freePort(),
      nearCache: true,
    });
    cleanup.add(service.name, () => service.stop());
    apis.push({ service, port });
  }
  const nameVia = async (port: number) =>
    ((await (await fetch(`http://127.0.0.1:${port}/users/1`)).json()) as { name: string }).name;
  /** Reads through `api` until its near cache answered one with `expected`. */
  const servedNear = async (api: (typeof apis)[number], expected: string) => {
    await waitFor(
      async () => {
        const before = await api.service.metric('freshen_cache_near_hits_total');
        const seen = await nameVia(api.port);
        const after = await api.service.metric('freshen_cache_near_hits_total');
        return seen === expected && after > before;
      },
      {
        timeoutMs: 10_000,
        description: `${api.service.name} to serve ${expected} from its near cache`,
      },
    );
  };
  for (const api of apis) await servedNear(api, 'Ada');

  await db.query(`update ${schema}.users set name = 'Grace' where id = 1`);
  await pipeline.waitForDrain();
  // Redis holds the new row now; each process must have dropped its copy (no TTL helps: 30 s).
  for (const api of apis) {
    await waitFor(async () => (await nameVia(api.port)) === 'Grace', { timeoutMs: 2_000 });
    expect(await api.service.metric('freshen_cache_near_invalidations_total')).toBeGreaterThan(0);
    await servedNear(api, 'Grace');
  }
});
