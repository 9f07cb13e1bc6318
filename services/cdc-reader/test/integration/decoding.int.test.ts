import { Writable } from 'node:stream';
import { useCleanup, waitFor } from '@freshen/test-kit';
import { pino } from 'pino';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

describe('cdc-reader: decoding beyond single rows', () => {
  it('lists unchanged TOAST columns as unavailable (never null), and fills them under REPLICA IDENTITY FULL', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.docs (id int primary key, body text, n int)',
      'alter table $schema.docs alter column body set storage external',
      'create table $schema.full_docs (id int primary key, body text, n int)',
      'alter table $schema.full_docs alter column body set storage external',
      'alter table $schema.full_docs replica identity full',
    ]);
    const docs = await t.collect('docs');
    const fullDocs = await t.collect('full_docs');
    await t.start();
    const big = 'x'.repeat(10_000);
    for (const table of ['docs', 'full_docs']) {
      await t.db.query(`insert into ${t.schema}.${table} values (1, $1, 0)`, [big]);
      await t.db.query(`update ${t.schema}.${table} set n = 1 where id = 1`);
    }
    await waitFor(() => docs.length === 2 && fullDocs.length === 2, {
      description: 'both updates',
    });
    expect(docs[1]).toMatchObject({
      op: 'update',
      key: { id: 1 },
      new: { id: 1, n: 1 },
      unavailable: ['body'],
    });
    expect(docs[1]!.new).not.toHaveProperty('body');
    // FULL sends the whole old row, so the unchanged value is known; the key stays the primary key.
    expect(fullDocs[1]).toMatchObject({
      key: { id: 1 },
      new: { id: 1, body: big, n: 1 },
      old: { n: 0 },
      unavailable: [],
    });
  });

  it('follows ALTER TABLE, and keeps the order and positions of a large transaction', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.items (id int primary key, name text)',
    ]);
    const items = await t.collect('items', 1);
    await t.start();
    await t.db.query(`insert into ${t.schema}.items values (1, 'one')`);
    await t.db.query(
      `alter table ${t.schema}.items add column price numeric, alter column name type varchar(20)`,
    );
    await t.db.query(`insert into ${t.schema}.items values (2, 'two', 2.50)`);
    await t.db.query(
      `insert into ${t.schema}.items select g, 'bulk', g from generate_series(100, 20099) g`,
    );
    await waitFor(() => items.length === 20_002, {
      description: '20 002 events',
      timeoutMs: 30_000,
    });
    expect(items[0]!.new).toEqual({ id: 1, name: 'one' });
    expect(items[1]!.new).toEqual({ id: 2, name: 'two', price: '2.50' });
    const bulk = items.slice(2);
    expect(new Set(bulk.map((e) => `${e.lsn} ${e.xid}`)).size).toBe(1);
    expect(bulk.map((e) => e.seq)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(bulk.map((e) => e.key.id)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 100));
  });

  it('warns about a table without a primary key (naming it and the fix) and sends what Postgres sends', async () => {
    const t = await readerTest(cleanup, ['create table $schema.logs (line text)']);
    const logs = await t.collect('logs');
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
    });
    await t.start({}, pino({ level: 'warn' }, sink));
    await t.db.query(`insert into ${t.schema}.logs values ('hello')`);
    await waitFor(() => logs.length === 1, { description: 'the insert' });
    expect(logs[0]).toMatchObject({ op: 'insert', key: {}, new: { line: 'hello' } });
    const warning = lines
      .map((line) => JSON.parse(line) as { msg: string })
      .find((line) => line.msg.includes('no primary key'));
    expect(warning?.msg).toContain(`${t.schema}.logs`);
    expect(warning?.msg).toContain(`ALTER TABLE ${t.schema}.logs ADD PRIMARY KEY`);
  });

  it('says a table with a primary key but REPLICA IDENTITY NOTHING needs REPLICA IDENTITY DEFAULT (regression: it said "no primary key"), and keys its inserts by that key', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.notes (id int primary key, line text)',
      'alter table $schema.notes replica identity nothing',
    ]);
    const notes = await t.collect('notes');
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
    });
    await t.start({}, pino({ level: 'warn' }, sink));
    await t.db.query(`insert into ${t.schema}.notes values (7, 'hello')`);
    await waitFor(() => notes.length === 1, { description: 'the insert' });
    expect(notes[0]).toMatchObject({ op: 'insert', key: { id: 7 } });
    const warnings = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(warnings).toContain(
      `table ${t.schema}.notes has a primary key but REPLICA IDENTITY NOTHING: Postgres sends no old key, so it rejects the table's UPDATEs and DELETEs while it is published. Fix: ALTER TABLE ${t.schema}.notes REPLICA IDENTITY DEFAULT`,
    );
  });
});
