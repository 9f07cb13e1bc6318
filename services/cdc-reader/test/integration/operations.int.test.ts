import { compareLsn } from '@freshen/change-event';
import { useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

describe('cdc-reader publishing', () => {
  it('publishes insert, update, delete and truncate with key, rows, LSN, xid, seq and ts', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.users (id bigint primary key, email text not null, age int, balance numeric)',
    ]);
    const events = await t.collect('users');
    await t.start();
    const users = `${t.schema}.users`;
    const before = Date.now();
    await t.db.query(
      `insert into ${users} values (9007199254740993, 'ada@example.com', 36, 12345678901234567890.12)`,
    );
    await t.db.query('begin');
    await t.db.query(`update ${users} set email = 'ada@new.example' where id = 9007199254740993`);
    await t.db.query(`insert into ${users} values (2, 'bob@example.com', null, 0)`);
    await t.db.query('commit');
    await t.db.query(`delete from ${users} where id = 2`);
    await t.db.query(`truncate ${users}`);
    await waitFor(() => events.filter((e) => e.op === 'truncate').length === 3, {
      description: 'truncate on all 3 partitions',
    });
    const rows = events
      .filter((e) => e.op !== 'truncate')
      .sort((a, b) => compareLsn(a.lsn, b.lsn) || a.seq - b.seq);
    expect(rows.map((e) => e.op)).toEqual(['insert', 'update', 'insert', 'delete']);
    const [insert, update, insert2, del] = rows;
    expect(insert).toMatchObject({
      v: 1,
      schema: t.schema,
      table: 'users',
      key: { id: '9007199254740993' },
      new: {
        id: '9007199254740993',
        email: 'ada@example.com',
        age: 36,
        balance: '12345678901234567890.12',
      },
      old: null,
      unavailable: [],
      seq: 0,
    });
    expect(insert!.ts).toBeGreaterThanOrEqual(before - 1000);
    expect(update).toMatchObject({
      key: { id: '9007199254740993' },
      new: { email: 'ada@new.example' },
      seq: 0,
    });
    expect(insert2).toMatchObject({
      key: { id: '2' },
      new: { age: null },
      seq: 1,
      xid: update!.xid,
      lsn: update!.lsn,
    });
    expect(del).toMatchObject({ key: { id: '2' }, new: null, old: { id: '2' } });
    expect(new Set(rows.map((e) => e.xid)).size).toBe(3);
    const truncates = events.filter((e) => e.op === 'truncate');
    expect(
      new Set(truncates.map((e) => (e as unknown as { partition: number }).partition)),
    ).toEqual(new Set([0, 1, 2]));
    expect(truncates[0]).toMatchObject({ key: {}, new: null, old: null });
  });
});
