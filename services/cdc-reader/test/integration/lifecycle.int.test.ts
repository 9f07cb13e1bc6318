import { compareLsn } from '@freshen/change-event';
import { jsonLines, useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

describe('cdc-reader: lifecycle', () => {
  it('on SIGTERM flushes to Kafka, confirms, and exits 0', async () => {
    const t = await readerTest(cleanup, ['create table $schema.items (id int primary key)']);
    const events = await t.collect('items');
    const reader = await spawnReader(cleanup, t.env);
    await waitForRole(reader, 'streaming');
    await t.db.query(`insert into ${t.schema}.items select g from generate_series(1, 500) g`);
    await waitFor(
      async () => (await reader.metric('freshen_reader_events_published_total')) === 500,
      { description: 'all published' },
    );
    await reader.kill('SIGTERM');
    expect(await reader.exit).toBe(0);
    await waitFor(() => events.length === 500, { description: 'the 500 events in Kafka' });
    const confirmed = (
      await t.db.query<{ lsn: string }>(
        'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
        [t.slot],
      )
    ).rows[0]!.lsn;
    // Confirmed past the transaction's commit record: a restart would not send it again.
    expect(compareLsn(confirmed, events[0]!.lsn)).toBeGreaterThan(0);
  });

  it('refuses to start with one line per configuration problem and exit code 78', async () => {
    const reader = await spawnReader(cleanup, {
      DATABASE_URL: 'mysql://x',
      KAFKA_BROKERS: 'nope',
      TOPIC_PARTITIONS: '0',
    });
    expect(await reader.exit).toBe(78);
    // One fatal JSON line per problem (they were `config: ...` text lines on stderr).
    expect(jsonLines(reader.output()).map((line) => [line.level, line.msg])).toEqual([
      [60, expect.stringMatching(/^DATABASE_URL=<hidden> is invalid/)],
      [60, expect.stringMatching(/^KAFKA_BROKERS="nope" is invalid/)],
      [60, expect.stringMatching(/^TOPIC_PARTITIONS="0" is invalid/)],
    ]);
  });
});
