import { execFile } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor, type CloseList } from '@freshen/runtime';
import pg from 'pg';
import type { IssuedCertificate, TestCertificates } from './tls/test-certificates.ts';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PrivatePostgresOptions {
  /**
   * TLS only (pg_hba accepts hostssl and nothing else), like a managed Postgres that requires it
   * (RDS's rds.force_ssl), with the generated server certificate (or `serverCertificate`).
   */
  tls?: { certificates: TestCertificates; serverCertificate?: IssuedCertificate };
}

export interface PrivatePostgres {
  readonly port: number;
  /**
   * The superuser `postgres` on its `postgres` database (trust authentication); with TLS
   * `postgres://postgres@localhost:<port>/postgres?sslmode=verify-full&sslrootcert=<the test CA>`.
   */
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
  options: PrivatePostgresOptions = {},
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
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    owner = { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const tlsSettings = options.tls ? tlsOnly(dir, data, options.tls, owner) : [];
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c wal_level=logical',
    '-c max_replication_slots=10',
    '-c max_wal_senders=10',
    '-c fsync=off',
    ...tlsSettings,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  const log = path.join(dir, 'postgres.log');
  await exec('pg_ctl', ['start', '-w', '-D', data, '-l', log, '-o', serverOptions]);
  cleanup.add(`private postgres :${port}`, async () => {
    await exec('pg_ctl', ['stop', '-m', 'immediate', '-D', data]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  const url = options.tls
    ? `postgres://postgres@localhost:${port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(options.tls.certificates.ca.certFile)}`
    : `postgres://postgres@127.0.0.1:${port}/postgres`;
  // The helper's own check also reaches a server whose certificate names another host.
  const probeUrl = options.tls?.serverCertificate
    ? url.replace('sslmode=verify-full', 'sslmode=no-verify')
    : url;
  const accepting = async () => {
    const client = new pg.Client({ connectionString: probeUrl });
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
        serverOptions,
      ]);
      await waitAccepting();
    },
  };
}

/**
 * Server options and pg_hba for TLS-only connections. Postgres reads its key only if the
 * server's own user owns it with mode 0600, so both files are copied into its folder.
 */
function tlsOnly(
  dir: string,
  data: string,
  tls: NonNullable<PrivatePostgresOptions['tls']>,
  owner: { uid: number; gid: number } | undefined,
): string[] {
  const server = tls.serverCertificate ?? tls.certificates.server;
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  copyFileSync(server.certFile, certFile);
  copyFileSync(server.keyFile, keyFile);
  chmodSync(keyFile, 0o600);
  const hba = path.join(data, 'pg_hba.conf');
  writeFileSync(
    hba,
    [
      'local all all trust',
      'hostssl all all 127.0.0.1/32 trust',
      'hostssl replication all 127.0.0.1/32 trust',
      '',
    ].join('\n'),
  );
  if (owner) for (const file of [certFile, keyFile, hba]) chownSync(file, owner.uid, owner.gid);
  return ['-c ssl=on', `-c ssl_cert_file=${certFile}`, `-c ssl_key_file=${keyFile}`];
}
