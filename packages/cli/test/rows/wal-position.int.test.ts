import { SECOND } from '@freshen/runtime';
import { startPrivatePostgres, useCleanup } from '@freshen/test-kit';
import pg from 'pg';
import { settledWalPosition } from '../../src/rows/wal-position.ts';

jest.setTimeout(60 * SECOND);

const cleanup = useCleanup();

// A Postgres of its own: on the shared stack, other tests' transactions would be waited for too.
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanup.add('pg client', () => client.end());
  return client;
}

describe('settledWalPosition', () => {
  it('waits for the transactions open at the position, and gives up on one that stays open', async () => {
    const server = await startPrivatePostgres(cleanup);
    const db = await connect(server.url);
    const writer = await connect(server.url);
    const schema = 'public';
    await db.query(`create table ${schema}.t (id int primary key)`);

    await writer.query('begin');
    await writer.query(`insert into ${schema}.t values (1)`);
    const outlasted = new Set<string>();
    const waited = settledWalPosition(db, outlasted, 60_000);
    let done = false;
    void waited.then(() => (done = true));
    // Still waiting while the writer's transaction is open; it ends when the writer commits.
    await db.query('select pg_sleep(0.2)');
    expect(done).toBe(false);
    await writer.query('commit');
    expect((await waited).settled).toBe(true);
    const visible = await db.query(`select count(*)::int as n from ${schema}.t`);
    expect(visible.rows[0].n).toBe(1);

    await writer.query('begin');
    await writer.query(`insert into ${schema}.t values (2)`);
    expect((await settledWalPosition(db, outlasted, 100)).settled).toBe(false);
    expect(outlasted.size).toBe(1);
    // Not waited for again.
    expect((await settledWalPosition(db, outlasted, 60_000)).settled).toBe(true);
    await writer.query('rollback');
  });
});
