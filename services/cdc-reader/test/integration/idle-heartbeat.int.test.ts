import { compareLsn } from '@freshen/change-event';
import { useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

describe('cdc-reader: idle database', () => {
  it('moves the slot confirmed position with heartbeats while published tables are idle', async () => {
    const t = await readerTest(cleanup, ['create table $schema.items (id int primary key)']);
    // Not in the publication: it writes WAL the slot would retain forever without heartbeats.
    await t.db.query(`create table public.${t.slot}_unpublished (id int)`);
    cleanup.add('drop unpublished table', () =>
      t.db.query(`drop table if exists public.${t.slot}_unpublished`),
    );
    await t.start({ STATUS_INTERVAL_MS: '200' });
    const position = async () =>
      (
        await t.db.query<{ lsn: string }>(
          'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
          [t.slot],
        )
      ).rows[0]!.lsn;
    await t.db.query(`insert into public.${t.slot}_unpublished select generate_series(1, 1000)`);
    const written = (await t.db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'))
      .rows[0]!.lsn;
    await waitFor(async () => compareLsn(await position(), written) >= 0, {
      description: 'the confirmed position to pass the unpublished writes',
    });
  });
});
