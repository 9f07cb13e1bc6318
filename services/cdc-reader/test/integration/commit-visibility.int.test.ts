import { startPrivatePostgres, useCleanup, waitFor } from '@freshen/test-kit';
import pg from 'pg';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

/**
 * Regression: Postgres streams a commit to the slot as soon as its record is flushed, but
 * queries see it only after the backend leaves the running set. The reader published in that
 * window, so the invalidator could delete a key while a cache reader's load still read the old
 * row and filled it back (stale until the TTL; seen as rare stale keys under load).
 *
 * A synchronous standby that never connects holds every commit in exactly that window: flushed
 * (so decoded and streamed) but not visible, until the setting is cleared.
 */
describe('cdc-reader: a committed transaction is published only once queries can see it', () => {
  it('holds the events of a commit that waits for a synchronous standby, and publishes them when it becomes visible', async () => {
    const server = await startPrivatePostgres(cleanup);
    const t = await readerTest(cleanup, []);
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    cleanup.add('private db client', () => db.end());
    await db.query(`create schema ${t.schema}`);
    await db.query(`create table ${t.schema}.rows (id int primary key, v text)`);
    await db.query(`insert into ${t.schema}.rows values (1, 'before')`);
    await db.query(`create publication ${t.slot} for table ${t.schema}.rows`);
    const events = await t.collect('rows');
    await t.start({ DATABASE_URL: server.url });

    await db.query(`alter system set synchronous_standby_names = 'freshen_never_connects'`);
    await db.query('select pg_reload_conf()');
    const writer = new pg.Client({ connectionString: server.url });
    await writer.connect();
    cleanup.add('writer', () => writer.end());
    // Blocks in its commit: flushed, streamed to the slot, not visible.
    const held = writer.query(`update ${t.schema}.rows set v = 'after' where id = 1`);
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity where wait_event = 'SyncRep'`,
        );
        return rows[0]!.n === '1';
      },
      { description: 'the update waiting for the standby' },
    );
    const visible = async () =>
      (await db.query<{ v: string }>(`select v from ${t.schema}.rows where id = 1`)).rows[0]!.v;

    // The reader has had the commit in hand for as long as this waits; before the fix, its
    // event reached Kafka within milliseconds while queries still read 'before'.
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      expect({ events: events.length, visible: await visible() }).toEqual({
        events: 0,
        visible: 'before',
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await db.query('alter system reset synchronous_standby_names');
    await db.query('select pg_reload_conf()');
    await held;
    await waitFor(() => events.length === 1, { description: 'the update published' });
    expect(events[0]).toMatchObject({ op: 'update', key: { id: 1 }, new: { v: 'after' } });
    expect(await visible()).toBe('after');
  }, 60_000);
});
