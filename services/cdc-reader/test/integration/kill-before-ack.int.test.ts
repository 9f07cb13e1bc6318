import { startPrivateKafka, useCleanup, waitFor, type PrivateKafka } from '@freshen/test-kit';
import { collectEvents } from '../helpers/collect-events.ts';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

/**
 * FRESHEN_TEST_CONFIRM_ON_RECEIPT=1 runs the first reader in the unsafe test-only mode that
 * confirms on receipt; this test must then FAIL (the changes received before the kill are
 * lost), which shows that it detects exactly the bug it guards against.
 */
const confirmOnReceipt = process.env.FRESHEN_TEST_CONFIRM_ON_RECEIPT === '1';
const CHANGES = 50;

let kafka: PrivateKafka;
beforeAll(async () => {
  kafka = await startPrivateKafka(cleanup);
});

describe('cdc-reader: kill -9 between receiving a change and Kafka acknowledging it', () => {
  it('delivers every change after a restart', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.items (id int primary key, note text)',
    ]);
    const env = { ...t.env, KAFKA_BROKERS: kafka.brokers.join(',') };

    const first = await spawnReader(cleanup, {
      ...env,
      FRESHEN_UNSAFE_CONFIRM_ON_RECEIPT: String(confirmOnReceipt),
    });
    await waitForRole(first, 'streaming');
    await t.db.query(`insert into ${t.schema}.items values (0, 'before the outage')`);
    await waitFor(async () => (await first.metric('freshen_reader_events_published_total')) === 1, {
      description: 'the first change acknowledged by Kafka',
    });

    // Kafka stops acknowledging; the reader receives changes it cannot publish.
    await kafka.stop();
    for (let id = 1; id <= CHANGES; id++)
      await t.db.query(`insert into ${t.schema}.items values ($1, 'x')`, [id]);
    await waitFor(async () => (await first.metric('freshen_reader_in_flight_events')) === CHANGES, {
      description: `${CHANGES} changes received and waiting for Kafka`,
    });
    await first.kill('SIGKILL');

    await kafka.start();
    const second = await spawnReader(cleanup, env);
    await waitForRole(second, 'streaming');
    const events = await collectEvents(cleanup, kafka.brokers, t.topicOf('items'));
    const missing = () => {
      const seen = new Set(events.map((event) => event.key.id));
      return Array.from({ length: CHANGES + 1 }, (_, id) => id).filter((id) => !seen.has(id));
    };
    await waitFor(() => missing().length === 0, {
      timeoutMs: 15_000,
      description: 'every change in Kafka after the restart',
    }).catch((error: Error) => {
      throw new Error(
        `${error.message}; missing ${missing().length} of ${CHANGES + 1}: ${missing().join(',')}`,
      );
    });
  });
});
