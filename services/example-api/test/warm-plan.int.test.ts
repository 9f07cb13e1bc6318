import { CacheClient } from '@freshen/cache';
import { EXAMPLE_SCHEMA_SQL, createExampleKeys } from '@freshen/example';
import {
  deleteKeysWithPrefix,
  newPgClient,
  newRedis,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import { readApiConfig } from '../src/config.ts';
import { createWarmPlan } from '../src/warm-plan.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const prefix = uniqueName('warmplan');
cleanup.add('cache keys', () => deleteKeysWithPrefix(redis, prefix));

it('warms every user and product of the example schema', async () => {
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'warmplan');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  await db.query(
    `insert into ${schema}.users (email, name) select 'u' || i || '@example.com', 'U' || i from generate_series(1, 1500) i`,
  );
  await db.query(
    `insert into ${schema}.products (sku, name, price) values ('a', 'A', 1), ('b', 'B', 2)`,
  );
  const plan = createWarmPlan(
    readApiConfig({
      DATABASE_URL: stackSettings().databaseUrl,
      PG_SCHEMA: schema,
      KEY_PREFIX: prefix,
    }),
  );
  cleanup.add('plan', () => plan.close?.());

  expect(await plan.count?.()).toBe(1502);
  const summary = await new CacheClient(redis).warm(plan.entries(), { concurrency: 16 });
  expect(summary).toEqual({
    filled: 1502,
    alreadyCached: 0,
    refused: 0,
    notCached: 0,
    failed: 0,
    errors: [],
  });
  const keys = createExampleKeys(prefix);
  expect(await redis.get(keys.user.key({ id: 1500 }))).toContain('u1500@example.com');
  expect(await redis.get(keys.product.key({ id: 2 }))).toContain('"price":"2.00"');
});
