import { CacheClient } from '@freshen/cache';
import {
  createExampleKeys,
  EXAMPLE_SCHEMA_SQL,
  CachedReads,
  ExampleStore,
  PG_SESSION_OPTIONS,
} from '@freshen/example';
import { decodeStoredValue } from '@freshen/storage';
import {
  newPgClient,
  newRedis,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import pg from 'pg';
import { deleteKeyspace } from '../src/consistency-run.ts';
import { startPipeline } from '../src/pipeline.ts';
import { findStaleKeys } from '../src/stale-check.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const USERS = 30;
const MOVED_BY = 1_000_000;

/**
 * Issue 9's first bug through the live pipeline: per user `update name; update id` in one
 * transaction, two invalidator instances. The refresh of the old id (from the name update)
 * sat in the old id's partition while the delete of the old id went with the new id's: when
 * the delete ran first, the refresh re-created a profile for a row that no longer exists.
 */
describe('primary-key moves through the pipeline (regression: the old key was refreshed after its delete)', () => {
  it.each([
    ['without readers', 0],
    ['with readers racing the moves', 8],
  ])('leaves no value under a moved-away id, %s', async (_name, readers) => {
    const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
    const db = await newPgClient(cleanup);
    const schema = await newSchema(cleanup, db, 'pkmove');
    await db.query(EXAMPLE_SCHEMA_SQL(schema));
    const name = uniqueName('pkmove');
    cleanup.add('cache keys', () => deleteKeyspace(redis, name));
    const ids = Array.from({ length: USERS }, (_, i) => String(i + 1));
    await db.query(
      `insert into ${schema}.users (id, email, name) select g, 'u' || g || '@example.com', 'user ' || g from generate_series(1, ${USERS}) g`,
    );
    const pipeline = await startPipeline({
      databaseUrl,
      kafkaBrokers,
      redisUrl,
      schema,
      keyPrefix: name,
      name,
      partitions: 8,
      invalidators: 2,
    });
    cleanup.add('pipeline', () => pipeline.close());
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: readers + 2,
      options: PG_SESSION_OPTIONS,
    });
    cleanup.add('pool', () => pool.end());
    const store = new ExampleStore(pool, schema);
    const keys = createExampleKeys(name);
    const reads = new CachedReads(new CacheClient(redis, { ttlMs: 600_000 }), keys, store, 600_000);

    let moving = true;
    const readLoops = Array.from({ length: readers }, async (_, n) => {
      for (let i = n; moving; i++) {
        const id = ids[i % USERS]!;
        await reads.user(id);
        await reads.user(String(Number(id) + MOVED_BY));
      }
    });
    for (const id of ids) {
      await db.query(
        `begin; update ${schema}.users set name = 'renamed' where id = ${id};
         update ${schema}.users set id = id + ${MOVED_BY} where id = ${id}; commit`,
      );
    }
    moving = false;
    await Promise.all(readLoops);
    await pipeline.waitForDrain();

    const oldKeysHoldingAProfile = [];
    for (const id of ids) {
      const cached = await redis.get(keys.user.key({ id }));
      // "No such user" is cached as null, which is right; a profile is the stale value.
      if (cached !== null && JSON.parse(decodeStoredValue(cached).payload) !== null) {
        oldKeysHoldingAProfile.push(id);
      }
    }
    expect(oldKeysHoldingAProfile).toEqual([]);
    expect((await findStaleKeys(redis, keys, store)).stale).toEqual([]);
  });
});
