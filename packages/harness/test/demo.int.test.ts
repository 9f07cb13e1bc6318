import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { stackSettings } from '@freshen/test-kit';
import pg from 'pg';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

it('npm run demo: runs the pipeline under load, shows the figures each second, and stops cleanly', async () => {
  const { stdout } = await run(process.execPath, ['scripts/demo.ts'], {
    cwd: root,
    env: { ...process.env, DEMO_DURATION_SECONDS: '3', DEMO_API_PORT: '0' },
    timeout: 90_000,
  });
  const name = /keyspace "(demo_[0-9a-f]+)"/.exec(stdout)?.[1];
  expect(name).toBeDefined();
  const frames = stdout.split('\n').filter((line) => line.startsWith('['));
  expect(frames.length).toBeGreaterThanOrEqual(2);
  for (const label of [
    'changes/s',
    'invalidations/s',
    'cache hit rate',
    'near-cache hits',
    'end-to-end lag',
  ])
    expect(frames.at(-1)).toContain(label);
  // Some second saw row changes flow (not necessarily the last one on a loaded machine).
  expect(frames.some((frame) => /changes\/s [1-9]/.test(frame))).toBe(true);
  expect(stdout).toMatch(/workload stopped: \d+ reads, \d+ writes, 0 errors/);
  expect(stdout).toContain('slot, topics, schema and cache keys dropped');

  const db = new pg.Client({ connectionString: stackSettings().databaseUrl });
  await db.connect();
  try {
    const left = await db.query(
      'select 1 from pg_replication_slots where slot_name = $1 union all select 1 from pg_namespace where nspname = $1',
      [name],
    );
    expect(left.rowCount).toBe(0);
  } finally {
    await db.end();
  }
}, 120_000);
