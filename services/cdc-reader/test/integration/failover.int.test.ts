import { useCleanup, waitFor } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

describe('cdc-reader: high availability', () => {
  it('runs one active reader per slot; a standby takes over within seconds of kill -9 and nothing is lost', async () => {
    const t = await readerTest(cleanup, ['create table $schema.items (id int primary key)']);
    const events = await t.collect('items');
    const active = await spawnReader(cleanup, t.env);
    await waitForRole(active, 'streaming');
    const standby = await spawnReader(cleanup, t.env);
    await waitForRole(standby, 'standby');

    await t.db.query(`insert into ${t.schema}.items select g from generate_series(1, 100) g`);
    await waitFor(() => events.length === 100, {
      description: 'the first 100 rows via the active reader',
    });
    expect(await standby.metric('freshen_reader_events_published_total')).toBe(0);

    await active.kill('SIGKILL');
    const killedAt = Date.now();
    await t.db.query(`insert into ${t.schema}.items select g from generate_series(101, 200) g`);
    await waitForRole(standby, 'streaming', 15_000);
    const takeoverMs = Date.now() - killedAt;
    await waitFor(() => new Set(events.map((event) => event.key.id)).size === 200, {
      description: 'all 200 rows',
    });
    expect(takeoverMs).toBeLessThan(10_000);
  });
});
