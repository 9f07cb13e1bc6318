import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor, type CloseList } from '@freshen/runtime';
import pg from 'pg';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PrivatePostgres {
  readonly port: number;
  /** The superuser `postgres` on its `postgres` database (trust authentication). */
  readonly url: string;
  /** `pg_ctl restart -m immediate` (a crash and restart): resolves when it accepts connections again. */
  restartImmediate(): Promise<void>;
  /** Resolves once a connection succeeds. */
  waitAccepting(timeoutMs?: number): Promise<void>;
}

/**
 * A Postgres of this test's own (initdb into a temp dir, wal_level=logical, a free port, trust
 * auth for its superuser) that a fault test may crash and restart without touching the shared
 * stack. Runs as the `postgres` OS user when the test runs as root (Postgres refuses root).
 * `settings` become `-c name=value` server options. Stopped and removed by `cleanup`.
 */
export async function startPrivatePostgres(
  cleanup: CloseList,
  settings: Record<string, string> = {},
): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'freshen-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const exec = async (command: string, args: string[]) => {
    const file = path.join(BIN, command);
    if (!asRoot) return run(file, args);
    return run('runuser', ['-u', 'postgres', '--', file, ...args]);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    chmodSync(dir, 0o700);
  }
  await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c wal_level=logical',
    '-c max_replication_slots=10',
    '-c max_wal_senders=10',
    '-c fsync=off',
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  const log = path.join(dir, 'postgres.log');
  await exec('pg_ctl', ['start', '-w', '-D', data, '-l', log, '-o', options]);
  cleanup.add(`private postgres :${port}`, async () => {
    await exec('pg_ctl', ['stop', '-m', 'immediate', '-D', data]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const accepting = async () => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  };
  const waitAccepting = async (timeoutMs = 30_000) => {
    await waitFor(accepting, { timeoutMs, intervalMs: 20, description: `postgres on :${port}` });
  };
  return {
    port,
    url,
    waitAccepting,
    async restartImmediate() {
      await exec('pg_ctl', [
        'restart',
        '-m',
        'immediate',
        '-w',
        '-D',
        data,
        '-l',
        log,
        '-o',
        options,
      ]);
      await waitAccepting();
    },
  };
}
