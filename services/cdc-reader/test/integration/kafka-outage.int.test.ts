import { startPrivateKafka, useCleanup, waitFor } from '@freshen/test-kit';
import { collectEvents } from '../helpers/collect-events.ts';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

const cleanup = useCleanup();
const ROWS = 3000;
const LIMIT = 300;
/** Rows 0..HOT-1 are updated after every insert. */
const HOT = 10;

describe('cdc-reader: Kafka stopped under load', () => {
  it('stops reading at its in-flight bound, resumes when Kafka returns, loses nothing and keeps each row in order', async () => {
    const kafka = await startPrivateKafka(cleanup);
    const t = await readerTest(cleanup, [
      'create table $schema.items (id int primary key, note text, version int not null default 0)',
    ]);
    const reader = await spawnReader(cleanup, {
      ...t.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      MAX_IN_FLIGHT_EVENTS: String(LIMIT),
      BATCH_MAX_EVENTS: '100',
    });
    await waitForRole(reader, 'streaming');

    let written = 0;
    const writer = (async () => {
      for (; written < ROWS; written += 50) {
        await t.db.query(
          `insert into ${t.schema}.items select g, 'x' from generate_series($1::int, $1::int + 49) g`,
          [written],
        );
        // Rows changed again and again across the outage: their versions must stay in order.
        await t.db.query(`update ${t.schema}.items set version = version + 1 where id < ${HOT}`);
      }
    })();
    await waitFor(
      async () => (await reader.metric('freshen_reader_events_published_total')) >= 200,
      { description: 'some rows published' },
    );
    await kafka.stop();
    await writer;

    // The bound holds: the reader paused instead of buffering the whole backlog.
    await waitFor(async () => (await reader.metric('freshen_reader_paused')) === 1, {
      description: 'reading paused',
    });
    const inFlight = await reader.metric('freshen_reader_in_flight_events');
    const published = await reader.metric('freshen_reader_events_published_total');
    // Bounded: a socket chunk may overshoot the limit a little, never read the whole backlog.
    expect(inFlight).toBeLessThan(ROWS / 2);
    expect(published + inFlight).toBeLessThan(ROWS);

    await kafka.start();
    const events = await collectEvents(cleanup, kafka.brokers, t.topicOf('items'));
    await waitFor(() => new Set(events.map((event) => event.key.id)).size === ROWS, {
      timeoutMs: 40_000,
      description: `all ${ROWS} rows after Kafka returned`,
    });
    expect(await reader.metric('freshen_reader_paused')).toBe(0);

    // Retries may repeat a row's changes but never put an older version after a newer one.
    const last = ROWS / 50;
    await waitFor(() => events.filter((event) => event.new?.version === last).length >= HOT, {
      timeoutMs: 20_000,
      description: `the last version of each of the ${HOT} updated rows`,
    });
    for (let id = 0; id < HOT; id++) {
      const versions = events
        .filter((event) => event.key.id === id)
        .map((event) => event.new!.version as number);
      const firstSeen = versions.filter((version, i) => versions.indexOf(version) === i);
      expect(firstSeen).toEqual(Array.from({ length: last + 1 }, (_, version) => version));
      expect(versions.at(-1)).toBe(last);
    }
  });
});
