import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type CloseList } from '@freshen/runtime';
import { Redis, type RedisOptions } from 'ioredis';
import { restartableProcess } from './restartable-process.ts';
import type { IssuedCertificate, TestCertificates } from './tls/test-certificates.ts';

/** An ACL user a private Redis creates at start: `rules` as in ACL SETUSER, without on/password. */
export interface RedisTestUser {
  name: string;
  password: string;
  rules: string;
}

export interface PrivateRedisOptions {
  /**
   * TLS only (no plain port), with the generated server certificate; clients must trust
   * `certificates.ca`. `clientCertificates: true` also requires a client certificate its CA signed.
   */
  tls?: {
    certificates: TestCertificates;
    clientCertificates?: boolean;
    /** The certificate the server presents; default `certificates.server`. */
    serverCertificate?: IssuedCertificate;
  };
  /**
   * ACL users to create. When given, the default user is switched off, so every client must
   * log in; the helper's own `admin` user (all commands) does the setup and readiness checks.
   */
  users?: RedisTestUser[];
  /** More redis-server arguments, e.g. `--cluster-enabled yes` or `--replicaof host port`. */
  args?: string[];
  /** The port; default a free one. */
  port?: number;
  /** The admin user's credentials, when servers must share them (replication); default random. */
  admin?: RedisAdmin;
}

export interface PrivateRedis {
  readonly port: number;
  /** redis:// or rediss:// URL without credentials. */
  readonly url: string;
  /** Connection options of the helper's admin user (TLS and credentials included). */
  readonly adminOptions: RedisOptions;
  /** Kills the server (SIGKILL): clients see connection errors, as in an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
}

/** The admin user every private Redis with users has; its password is random per server. */
export interface RedisAdmin {
  name: 'admin';
  password: string;
}

async function ping(options: RedisOptions): Promise<boolean> {
  const probe = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** redis-server arguments for TLS on `port` (no plain port), for clients, cluster bus and replication. */
function tlsArgs(port: number, tls: NonNullable<PrivateRedisOptions['tls']>): string[] {
  const { ca } = tls.certificates;
  const server = tls.serverCertificate ?? tls.certificates.server;
  return [
    ...['--port', '0', '--tls-port', String(port)],
    ...['--tls-cert-file', server.certFile, '--tls-key-file', server.keyFile],
    ...['--tls-ca-cert-file', ca.certFile],
    ...['--tls-auth-clients', tls.clientCertificates ? 'yes' : 'no'],
    ...['--tls-cluster', 'yes', '--tls-replication', 'yes'],
  ];
}

/**
 * redis-server `user` directives: the admin, the test's users, and the default user off.
 * Each word is its own argument (redis-server would quote one argument holding spaces).
 */
export function userArgs(admin: RedisAdmin, users: readonly RedisTestUser[]): string[] {
  const directive = (words: string) => ['--user', ...words.split(' ').filter(Boolean)];
  return [
    ...directive(`${admin.name} on >${admin.password} ~* &* +@all`),
    ...users.flatMap((user) => directive(`${user.name} on >${user.password} ${user.rules}`)),
    ...directive('default off'),
  ];
}

/** Client TLS options that trust the test CA (and present the client certificate). */
export function testTlsOptions(certificates: TestCertificates): RedisOptions['tls'] {
  return {
    ca: certificates.ca.cert,
    cert: certificates.client.cert,
    key: certificates.client.key,
  };
}

export function newRedisAdmin(): RedisAdmin {
  return { name: 'admin', password: randomBytes(12).toString('hex') };
}

/**
 * A Redis server of this test's own, on a free port, that a fault test may stop and restart
 * without touching the shared stack; optionally TLS-only with ACL users. Removed by `cleanup`.
 */
export async function startPrivateRedis(
  cleanup: CloseList,
  options: PrivateRedisOptions = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const admin = options.users ? (options.admin ?? newRedisAdmin()) : undefined;
  const url = `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  const adminOptions: RedisOptions = {
    host: '127.0.0.1',
    port,
    ...(admin && { username: admin.name, password: admin.password }),
    ...(options.tls && {
      tls: {
        ...testTlsOptions(options.tls.certificates),
        // The helper's own checks also reach a server whose certificate names another host.
        ...(options.tls.serverCertificate && { checkServerIdentity: () => undefined }),
      },
    }),
  };
  // Its own working directory: a replica's full sync writes the master's RDB there, which
  // would otherwise land in (and dirty) the directory the tests run from.
  const dir = await mkdtemp(join(tmpdir(), 'freshen-redis-'));
  cleanup.add(`private redis :${port} directory`, () => rm(dir, { recursive: true, force: true }));
  const server = restartableProcess({
    command: 'redis-server',
    args: [
      ...['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      ...(options.tls ? tlsArgs(port, options.tls) : ['--port', String(port)]),
      ...(admin ? userArgs(admin, options.users ?? []) : []),
      ...(options.args ?? []),
    ],
    description: `private redis on port ${port}`,
    ready: () => ping(adminOptions),
    readyTimeoutMs: 10_000,
  });
  await server.start();
  cleanup.add(`private redis :${port}`, server.stop);
  return { port, url, adminOptions, start: server.start, stop: server.stop };
}
