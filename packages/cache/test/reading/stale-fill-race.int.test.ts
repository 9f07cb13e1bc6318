import { defineKeyspace } from '@freshen/keys';
import {
  deleteKeysWithPrefix,
  newPgClient,
  newRedis,
  newSchema,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import { CacheClient } from '../../src/cache-client.ts';
import { deferred } from '../support/deferred.ts';
import { invalidatorDelete, invalidatorRefresh } from '../support/invalidator-actions.ts';

/**
 * The race of docs/architecture.md "Fill leases", replayed step by step with real
 * Postgres and Redis: reader A misses and reads the old row; a writer commits; the invalidation
 * runs (nothing cached yet to delete); then A fills. With leases the fill is refused and the
 * next read loads the new row; without leases (the twin) the old value sticks.
 */
const cleanup = useCleanup();
let db: Awaited<ReturnType<typeof newPgClient>>;
let schema: string;
const redis = newRedis(cleanup);
const keyspace = defineKeyspace({ prefix: uniqueName('race') });
const userKey = keyspace.kind('user', ['id'] as const);
cleanup.add('cache keys', async () => {
  await deleteKeysWithPrefix(redis, keyspace.base);
  await deleteKeysWithPrefix(redis, `{${keyspace.base}`); // leases and versions
});

interface User {
  id: number;
  email: string;
}

beforeAll(async () => {
  db = await newPgClient(cleanup);
  schema = await newSchema(cleanup, db, 'race');
  await db.query(`create table ${schema}.users (id int primary key, email text not null)`);
});

async function readRow(id: number): Promise<User> {
  const { rows } = await db.query<User>(`select id, email from ${schema}.users where id = $1`, [
    id,
  ]);
  return rows[0]!;
}

/** Runs the interleaving; returns A's read and what the next reader sees. */
async function replayRace(cache: CacheClient, id: number) {
  await db.query(`insert into ${schema}.users values ($1, 'old@example.com')`, [id]);
  const key = userKey.key({ id });
  const aReadRow = deferred<void>();
  const aMayFill = deferred<void>();

  // 1. Reader A misses and reads the old row, then is held before filling.
  const readerA = cache.read(key, async () => {
    const row = await readRow(id);
    aReadRow.resolve();
    await aMayFill.promise;
    return row;
  });
  await aReadRow.promise;
  // 2. A writer commits a change.
  await db.query(`update ${schema}.users set email = 'new@example.com' where id = $1`, [id]);
  // 3. The invalidation of that change runs: nothing is cached yet, but the lease goes too.
  await invalidatorDelete(redis, key);
  // 4. A fills with the row it read before the write.
  aMayFill.resolve();
  const a = await readerA;
  // 5. The next reader.
  const next = await cache.read(key, () => readRow(id));
  return { a, next, stored: await redis.get(key) };
}

it('with leases: the racing fill is refused and the next read loads the new row', async () => {
  const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
  const { a, next, stored } = await replayRace(cache, 1);

  expect(a.value.email).toBe('old@example.com'); // A's caller got what it read; that is fine
  expect(a.fill).toBe('refused');
  expect(next.source).toBe('loader');
  expect(next.value.email).toBe('new@example.com');
  expect(next.fill).toBe('written');
  expect(stored).toContain('new@example.com');
  expect(await cache.metrics.fillsRefused.get()).toMatchObject({ values: [{ value: 1 }] });
});

it('without leases (the twin): the old value is filled after the invalidation and sticks', async () => {
  const naive = new CacheClient(redis, { leases: false, earlyRefreshBeta: 0 });
  const { a, next, stored } = await replayRace(naive, 2);

  expect(a.fill).toBe('written');
  expect(next.source).toBe('cache');
  expect(next.value.email).toBe('old@example.com'); // stale, although the row says otherwise
  expect((await readRow(2)).email).toBe('new@example.com');
  expect(stored).toContain('old@example.com');
  expect(await redis.pttl(userKey.key({ id: 2 }))).toBeGreaterThan(60_000); // and stays until the TTL
});

describe('when the invalidation is a refresh (the rule writes the new row instead of deleting)', () => {
  /** A misses and reads the old row; the write commits; its refresh writes the new row; A fills. */
  async function replayRefreshRace(cache: CacheClient, id: number) {
    await db.query(`insert into ${schema}.users values ($1, 'old@example.com')`, [id]);
    const key = userKey.key({ id });
    const aReadRow = deferred<void>();
    const aMayFill = deferred<void>();
    const readerA = cache.read(key, async () => {
      const row = await readRow(id);
      aReadRow.resolve();
      await aMayFill.promise;
      return row;
    });
    await aReadRow.promise;
    await db.query(`update ${schema}.users set email = 'new@example.com' where id = $1`, [id]);
    await invalidatorRefresh(
      redis,
      key,
      JSON.stringify(await readRow(id)),
      600_000,
      '0000000000000001',
    );
    aMayFill.resolve();
    const a = await readerA;
    return { a, next: await cache.read(key, () => readRow(id)) };
  }

  it('with leases: the refresh removed the lease, so the fill is refused and the refreshed row stays', async () => {
    const { a, next } = await replayRefreshRace(new CacheClient(redis, { earlyRefreshBeta: 0 }), 3);
    expect(a.fill).toBe('refused');
    expect(next).toMatchObject({ source: 'cache', value: { email: 'new@example.com' } });
  });

  it('without leases: the fill overwrites the refreshed row with the old one', async () => {
    const { a, next } = await replayRefreshRace(
      new CacheClient(redis, { leases: false, earlyRefreshBeta: 0 }),
      4,
    );
    expect(a.fill).toBe('written');
    expect(next).toMatchObject({ source: 'cache', value: { email: 'old@example.com' } });
  });
});
