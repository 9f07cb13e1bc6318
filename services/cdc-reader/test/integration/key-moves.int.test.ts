import { messageKey, parseLsn } from '@freshen/change-event';
import { useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';
import type { ReceivedEvent } from '../helpers/collect-events.ts';

const cleanup = useCleanup();

/** Events from all partitions in commit order (consumers see partitions interleaved). */
const inCommitOrder = (events: ReceivedEvent[]) =>
  [...events].sort((a, b) => Number(parseLsn(a.lsn) - parseLsn(b.lsn)) || a.seq - b.seq);

/** Events of one message key, in the order its partition holds them. */
const eventsOf = (events: ReceivedEvent[], key: string) =>
  events.filter((e) => messageKey(e) === key);

describe('cdc-reader: a row whose key changes (regression: an UPDATE of the primary key was keyed by the new key only)', () => {
  it('ends the old key in its own partition with a delete, after its earlier events, and starts the new key with an insert', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.users (id int primary key, name text)',
      'create table $schema.pairs (a int, b int, note text, primary key (a, b))',
      'create table $schema.codes (id int primary key, code text not null, note text)',
      'create unique index codes_code on $schema.codes (code)',
      'alter table $schema.codes replica identity using index codes_code',
      'create table $schema.fulls (id int primary key, name text)',
      'alter table $schema.fulls replica identity full',
    ]);
    const users = await t.collect('users', 8);
    const pairs = await t.collect('pairs', 8);
    const codes = await t.collect('codes', 8);
    const fulls = await t.collect('fulls', 8);
    await t.start();
    const s = t.schema;
    await t.db
      .query(`insert into ${s}.users values (1, 'a'); insert into ${s}.pairs values (1, 1, 'x');
      insert into ${s}.codes values (1, 'c1', 'x'); insert into ${s}.fulls values (1, 'a')`);
    for (const table of ['users', 'fulls']) {
      await t.db.query(`begin; update ${s}.${table} set name = 'renamed' where id = 1;
        update ${s}.${table} set id = 2 where id = 1; commit`);
    }
    await t.db.query(`update ${s}.pairs set b = 2 where a = 1 and b = 1`);
    await t.db.query(`update ${s}.codes set code = 'c2' where id = 1`);
    // Not a move: delete and re-insert of one key in one transaction stays on that key.
    await t.db.query(
      `begin; delete from ${s}.users where id = 2; insert into ${s}.users values (2, 'again'); commit`,
    );
    await waitFor(
      () => users.length === 6 && fulls.length === 4 && pairs.length === 3 && codes.length === 3,
      { description: 'every event' },
    );

    for (const [table, events] of [
      ['users', users],
      ['fulls', fulls],
    ] as const) {
      const one = eventsOf(events, messageKey({ schema: s, table: table, key: { id: 1 } }));
      const two = eventsOf(events, messageKey({ schema: s, table: table, key: { id: 2 } }));
      expect(one.map((e) => e.op)).toEqual(['insert', 'update', 'delete']);
      expect(new Set(one.map((e) => e.partition)).size).toBe(1);
      expect(one[2]).toMatchObject({ key: { id: 1 }, new: null, old: { id: 1 } });
      expect(two[0]).toMatchObject({
        op: 'insert',
        key: { id: 2 },
        new: { id: 2, name: 'renamed' },
        old: null,
      });
      // The delete of the old key comes before the insert of the new one in the transaction.
      expect(one[2]!.lsn).toBe(two[0]!.lsn);
      expect(one[2]!.seq).toBe(two[0]!.seq - 1);
    }
    expect(
      eventsOf(users, messageKey({ schema: s, table: 'users', key: { id: 2 } })).map((e) => e.op),
    ).toEqual(['insert', 'delete', 'insert']);
    expect(
      inCommitOrder(pairs)
        .slice(1)
        .map((e) => [e.op, e.key]),
    ).toEqual([
      ['delete', { a: 1, b: 1 }],
      ['insert', { a: 1, b: 2 }],
    ]);
    expect(
      inCommitOrder(codes)
        .slice(1)
        .map((e) => [e.op, e.key]),
    ).toEqual([
      ['delete', { code: 'c1' }],
      ['insert', { code: 'c2' }],
    ]);
  });
});
