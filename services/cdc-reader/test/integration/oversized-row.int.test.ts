import { ensureTopics } from '@freshen/kafka';
import { useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

/** 10.5 MB: ten times the broker's default message.max.bytes. */
const HUGE = Math.round(10.5 * 1024 * 1024);

// Regression (issue 10): a 10.5 MB row was refused by Kafka (MESSAGE_TOO_LARGE) and the reader
// retried the same batch for ever, so no later change was ever delivered.
describe('cdc-reader: an oversized row does not wedge the reader (issue 10)', () => {
  it('publishes a 10.5 MB row with the big value listed as unavailable, and the next small row after it', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.docs (id int primary key, title text, body text)',
      'create table $schema.notes (id int primary key, note text)',
    ]);
    const docs = await t.collect('docs');
    const notes = await t.collect('notes');
    const reader = await t.start();

    await t.db.query(`insert into ${t.schema}.docs values (1, 'small title', repeat('x', $1))`, [
      HUGE,
    ]);
    await t.db.query(`insert into ${t.schema}.notes values (1, 'after the big row')`);

    await waitFor(() => notes.length === 1 && docs.length === 1, {
      timeoutMs: 20_000,
      description: 'the big row and the small row after it in Kafka',
    });
    const big = docs[0]!;
    expect(big.key).toEqual({ id: 1 });
    // Left out as an unchanged TOAST value would be: the invalidator deletes instead of refreshing.
    expect(big.unavailable).toEqual(['body']);
    expect(big.new).toEqual({ id: 1, title: 'small title' });
    expect(notes[0]!.new).toEqual({ id: 1, note: 'after the big row' });
    expect(reader.role).toBe('streaming');
    expect(await reader.metrics.eventsReduced.get()).toMatchObject({
      values: [expect.objectContaining({ labels: { how: 'columns' }, value: 1 })],
    });
  });

  it('shrinks further when the topic allows less than MAX_EVENT_BYTES, down to a truncate of the table when even the key is too large', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.docs (id int primary key, body text)',
      'create table $schema.tags (name text primary key, note text)',
    ]);
    // Topics whose max.message.bytes (2 KB) is far below the reader's MAX_EVENT_BYTES.
    await ensureTopics(
      t.admin,
      ['docs', 'tags'].map((table) => ({
        topic: t.topicOf(table),
        numPartitions: 1,
        configEntries: { 'max.message.bytes': '2048' },
      })),
    );
    const docs = await t.collect('docs', 1);
    const tags = await t.collect('tags', 1);
    const reader = await t.start();

    await t.db.query(`insert into ${t.schema}.docs values (1, repeat('y', 20000))`);
    // The key alone (3 KB) cannot be carried: the table's keys are all dropped instead.
    await t.db.query(`insert into ${t.schema}.tags values (repeat('k', 3000), 'n')`);
    await t.db.query(`insert into ${t.schema}.docs values (2, 'fits')`);

    // The batch that Kafka refused for the tag may have been written for docs already (the
    // client writes the partitions that accept their part), so the re-sent batch can repeat
    // doc 1: a duplicate, which the contract allows (never a reordering or a loss).
    const distinctDocs = () => [...new Map(docs.map((event) => [event.lsn, event])).values()];
    await waitFor(() => distinctDocs().length === 2 && tags.length === 1, {
      timeoutMs: 20_000,
      description: `both docs and the stand-in for the tag (have ${docs.length} docs, ${tags.length} tags)`,
    });
    const [first, second] = distinctDocs();
    expect(first).toMatchObject({ key: { id: 1 }, new: { id: 1 }, unavailable: ['body'] });
    expect(second).toMatchObject({ key: { id: 2 }, new: { id: 2, body: 'fits' } });
    expect(docs.at(-1)).toEqual(second);
    expect(tags[0]).toMatchObject({ op: 'truncate', key: {}, new: null, table: 'tags' });
    expect(reader.role).toBe('streaming');
  });
});
