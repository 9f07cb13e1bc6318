import { uniqueName, useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';

const cleanup = useCleanup();

describe('cdc-reader: value text does not depend on server or role settings', () => {
  it('emits timestamps in UTC, ISO style, even when the role defaults to another time zone and date style', async () => {
    const t = await readerTest(cleanup, [
      'create table $schema.events (id int primary key, at timestamptz, d date)',
    ]);
    // A role whose sessions default to Tokyo time and SQL/DMY dates: without pinned session
    // settings its walsender would write '02/01/2026 12:04:05.123456 JST'.
    const role = uniqueName('rdr_tz');
    await t.db.query(`create role ${role} superuser login replication`);
    await t.db.query(`alter role ${role} set timezone = 'Asia/Tokyo'`);
    await t.db.query(`alter role ${role} set datestyle = 'SQL, DMY'`);
    cleanup.add(`drop role ${role}`, () => t.db.query(`drop role if exists ${role}`));
    const url = new URL(t.env.DATABASE_URL!);
    url.username = role;

    const events = await t.collect('events');
    await t.start({ DATABASE_URL: url.toString() });
    await t.db.query(
      `insert into ${t.schema}.events values (1, '2026-01-02 03:04:05.123456+00', '2026-01-02')`,
    );
    await waitFor(() => events.length === 1, { description: 'the insert' });
    expect(events[0]!.new).toEqual({ id: 1, at: '2026-01-02 03:04:05.123456+00', d: '2026-01-02' });
  });
});
