import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor, type CloseList } from '@freshen/runtime';
import { Redis, type RedisOptions } from 'ioredis';
import {
  newRedisAdmin,
  startPrivateRedis,
  testTlsOptions,
  type PrivateRedis,
  type PrivateRedisOptions,
  type RedisTestUser,
} from './private-redis.ts';
import { restartableProcess } from './restartable-process.ts';

export interface PrivateRedisSentinel {
  /** The name the sentinels monitor, for REDIS_SENTINEL_MASTER. */
  readonly masterName: string;
  /** host:port of each sentinel, for REDIS_SENTINELS. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** The sentinels' password (their requirepass), for REDIS_SENTINEL_PASSWORD. */
  readonly sentinelPassword: string;
  /** The two data servers; which one is master changes with a failover. */
  readonly servers: readonly PrivateRedis[];
  /** The port of the current master, as the sentinels report it. */
  masterPort(): Promise<number>;
  /**
   * SENTINEL FAILOVER: the replica becomes master, the old master its replica. Resolves once
   * the sentinels name the new master and it answers as one.
   */
  failover(): Promise<{ from: number; to: number }>;
}

function withClient<T>(options: RedisOptions, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ ...options, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => {});
  return use(client).finally(() => client.disconnect());
}

/**
 * A Sentinel set of this test's own: one master, one replica (both with the given ACL users,
 * the default user off) and three `redis-server --sentinel` processes with a password, quick
 * to fail over (down after 1 s). Ready once every sentinel sees the replica and the other two.
 */
export async function startPrivateRedisSentinel(
  cleanup: CloseList,
  options: { users: RedisTestUser[]; masterName?: string; tls?: PrivateRedisOptions['tls'] },
): Promise<PrivateRedisSentinel> {
  const masterName = options.masterName ?? 'freshen-test';
  const admin = newRedisAdmin();
  const sentinelPassword = randomBytes(12).toString('hex');
  const sentinelClientOptions = (port: number): RedisOptions => ({
    host: '127.0.0.1',
    port,
    password: sentinelPassword,
    ...(options.tls && { tls: testTlsOptions(options.tls.certificates) }),
  });
  // Replication logs in as the admin user, on either server after a failover: both share it.
  // Full syncs go over the socket, not through a dump.rdb in the working directory.
  const replication = [
    ...['--masteruser', admin.name, '--masterauth', admin.password],
    ...['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'],
    ...['--repl-diskless-load', 'on-empty-db'],
  ];
  const master = await startPrivateRedis(cleanup, {
    users: options.users,
    admin,
    args: replication,
    ...(options.tls && { tls: options.tls }),
  });
  const replica = await startPrivateRedis(cleanup, {
    users: options.users,
    admin,
    ...(options.tls && { tls: options.tls }),
    args: [...replication, '--replicaof', '127.0.0.1', String(master.port)],
  });
  const dir = await mkdtemp(join(tmpdir(), 'freshen-sentinel-'));
  cleanup.add(`sentinel folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const ports: number[] = [];
  for (let index = 0; index < 3; index += 1) {
    const port = await freePort();
    ports.push(port);
    // Sentinels rewrite their configuration file, so each gets a writable one.
    const file = join(dir, `sentinel-${port}.conf`);
    await writeFile(
      file,
      [
        ...(options.tls ? sentinelTlsLines(port, options.tls) : [`port ${port}`]),
        'bind 127.0.0.1',
        `requirepass ${sentinelPassword}`,
        `sentinel sentinel-pass ${sentinelPassword}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
        `sentinel auth-user ${masterName} ${admin.name}`,
        `sentinel auth-pass ${masterName} ${admin.password}`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 10000`,
        '',
      ].join('\n'),
    );
    const clientOptions = sentinelClientOptions(port);
    const sentinel = restartableProcess({
      command: 'redis-server',
      args: [file, '--sentinel'],
      description: `private sentinel on port ${port}`,
      ready: () => withClient(clientOptions, async (client) => (await client.ping()) === 'PONG'),
      readyTimeoutMs: 10_000,
    });
    await sentinel.start();
    cleanup.add(`private sentinel :${port}`, sentinel.stop);
  }
  const sentinelOptions = ports.map(sentinelClientOptions);
  const ask = (index: number, ...args: string[]) =>
    withClient(sentinelOptions[index]!, (client) => client.call('SENTINEL', ...args));
  await waitFor(
    async () => {
      for (const index of ports.keys()) {
        const replicas = (await ask(index, 'REPLICAS', masterName)) as unknown[];
        const others = (await ask(index, 'SENTINELS', masterName)) as unknown[];
        if (replicas.length < 1 || others.length < 2) return false;
      }
      return true;
    },
    { description: 'sentinels see the replica and each other', timeoutMs: 30_000 },
  );
  const masterPort = async () => {
    const [, port] = (await ask(0, 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
    return Number(port);
  };
  const servers = [master, replica];
  const serverOn = (port: number) => servers.find((server) => server.port === port)!;
  return {
    masterName,
    sentinels: ports.map((port) => ({ host: '127.0.0.1', port })),
    sentinelPassword,
    servers,
    masterPort,
    async failover() {
      const from = await masterPort();
      // A planned failover: first let the replica catch up (replication is asynchronous, and
      // what it lacks would be lost), then hand over.
      await waitFor(
        () =>
          withClient(serverOn(from).adminOptions, async (client) => {
            const info = await client.info('replication');
            const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
            const replicaOffset = Number(/slave0:.*offset=(\d+)/.exec(info)?.[1]);
            return replicaOffset >= offset;
          }),
        { description: 'the replica caught up with the master', timeoutMs: 20_000 },
      );
      // The sentinels may still refuse for a moment ("NOGOODSLAVE") until they see it.
      await waitFor(
        async () => {
          try {
            await ask(0, 'FAILOVER', masterName);
            return true;
          } catch {
            return false;
          }
        },
        { description: 'SENTINEL FAILOVER accepted', timeoutMs: 20_000 },
      );
      let to = from;
      await waitFor(
        async () => {
          to = await masterPort();
          if (to === from) return false;
          const role = await withClient(serverOn(to).adminOptions, (client) => client.role());
          return role[0] === 'master';
        },
        { description: 'the sentinels name the promoted replica', timeoutMs: 30_000 },
      );
      return { from, to };
    },
  };
}

/** Sentinel configuration for TLS only: clients, other sentinels and the servers it watches. */
function sentinelTlsLines(port: number, tls: NonNullable<PrivateRedisOptions['tls']>): string[] {
  const { ca, server } = tls.certificates;
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${server.certFile}`,
    `tls-key-file ${server.keyFile}`,
    `tls-ca-cert-file ${ca.certFile}`,
    `tls-auth-clients ${tls.clientCertificates ? 'yes' : 'no'}`,
    'tls-replication yes',
  ];
}
