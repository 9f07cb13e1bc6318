import { compareLsn } from '@freshen/change-event';
import { createKafkaAdmin, topicEnds, topicStarts } from '@freshen/kafka';
import { CloseList } from '@freshen/runtime';
import {
  newPgClient,
  startPrivateKafka,
  useCleanup,
  waitFor,
  type PrivateKafka,
} from '@freshen/test-kit';
import { collectEvents } from '../helpers/collect-events.ts';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

let kafka: PrivateKafka;
beforeAll(async () => {
  kafka = await startPrivateKafka(cleanup);
});

describe('cdc-reader: the LSN it confirms for a commit', () => {
  it('after a crash between two back-to-back commits, delivers the second and not the first again', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.a (id int primary key)',
      'create table $schema.b (id int primary key)',
    ]);
    const env = { ...t.env, KAFKA_BROKERS: kafka.brokers.join(',') };
    const slotPosition = async () =>
      (
        await t.db.query<{ lsn: string }>(
          'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
          [t.slot],
        )
      ).rows[0]!.lsn;
    const first = await spawnReader(cleanup, env);
    await waitForRole(first, 'streaming');

    // B writes its row first but commits after A, so B's commit record follows A's directly
    // (unless other sessions write WAL in between): confirming A's end + 1 would skip B.
    const other = await newPgClient(cleanup);
    await other.query('begin');
    await other.query(`insert into ${t.schema}.b values (2)`);
    const beforeA = await slotPosition();
    await t.db.query(`insert into ${t.schema}.a values (1)`);
    await waitFor(async () => (await first.metric('freshen_reader_events_published_total')) === 1, {
      description: 'A acknowledged',
    });
    await waitFor(async () => compareLsn(await slotPosition(), beforeA) > 0, {
      description: 'A confirmed to Postgres',
    });

    await kafka.stop();
    await other.query('commit');
    await waitFor(async () => (await first.metric('freshen_reader_in_flight_events')) === 1, {
      description: 'B received, not acknowledged',
    });
    await first.kill('SIGKILL');
    await kafka.start();

    const second = await spawnReader(cleanup, env);
    await waitForRole(second, 'streaming');
    const consumers = new CloseList();
    cleanup.add('consumers', () => consumers.close());
    const eventsA = await collectEvents(consumers, kafka.brokers, t.topicOf('a'));
    const eventsB = await collectEvents(consumers, kafka.brokers, t.topicOf('b'));
    await waitFor(() => eventsB.length === 1, { description: 'B delivered after the restart' });
    await waitFor(async () => (await second.metric('freshen_reader_in_flight_events')) === 0, {
      description: 'second reader idle',
    });
    // Count what Kafka holds rather than what a consumer has fetched so far: A's consumer may
    // still be joining its group (regression: this test once read A's events too early).
    await waitFor(() => eventsA.length > 0, { description: 'A read back from Kafka' });
    expect(await messagesIn(kafka.brokers, t.topicOf('a'))).toBe(1);
    expect(await messagesIn(kafka.brokers, t.topicOf('b'))).toBe(1);
    expect(eventsA.map((event) => event.key)).toEqual([{ id: 1 }]);
    expect(eventsB.map((event) => event.key)).toEqual([{ id: 2 }]);
    await consumers.close();
  });
});

/** Messages a topic holds: the sum over its partitions of end offset minus start offset. */
async function messagesIn(brokers: string[], topic: string): Promise<number> {
  const admin = createKafkaAdmin({ brokers, clientId: 'count' });
  try {
    const [starts, ends] = [await topicStarts(admin, topic), await topicEnds(admin, topic)];
    let total = 0;
    for (const [partition, end] of ends) total += Number(end - (starts.get(partition) ?? 0n));
    return total;
  } finally {
    await admin.close();
  }
}
