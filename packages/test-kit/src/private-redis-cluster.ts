import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, notYet, waitFor, type CloseList } from '@freshen/runtime';
import { Redis } from 'ioredis';
import {
  newRedisAdmin,
  startPrivateRedis,
  type PrivateRedis,
  type PrivateRedisOptions,
} from './private-redis.ts';

/** Redis Cluster has 16384 hash slots (cluster spec), split here evenly over the masters. */
const CLUSTER_SLOTS = 16_384;

export interface PrivateRedisCluster {
  readonly nodes: readonly PrivateRedis[];
  /** host:port of every master, for REDIS_CLUSTER_NODES. */
  readonly hostPorts: readonly { host: string; port: number }[];
}

/**
 * A Redis Cluster of this test's own: `masters` servers (three by default) that split the
 * slots, optionally TLS-only (also on the cluster bus) with ACL users on every node. Built by
 * hand (ADDSLOTSRANGE, MEET) through the admin user; ready once every node says cluster_state:ok.
 */
export async function startPrivateRedisCluster(
  cleanup: CloseList,
  options: Omit<PrivateRedisOptions, 'args'> & { masters?: number } = {},
): Promise<PrivateRedisCluster> {
  const { masters = 3, ...serverOptions } = options;
  const nodes: PrivateRedis[] = [];
  // Each node's cluster bus gets a free port of its own: the default (port + 10000) may be
  // taken, or above 65535, for a port chosen at random.
  const busPorts: number[] = [];
  const taken = new Set<number>();
  // One admin for every node, so that a cluster client can use it too.
  const admin = newRedisAdmin();
  for (let index = 0; index < masters; index += 1) {
    // Each node writes its nodes.conf; a folder per cluster keeps them apart.
    const dir = await mkdtemp(join(tmpdir(), 'freshen-redis-cluster-'));
    cleanup.add(`cluster node folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
    // Picked together, so that no port is handed out twice before its server binds it.
    const [port, busPort] = (await distinctFreePorts(2, taken)) as [number, number];
    busPorts.push(busPort);
    nodes.push(
      await startPrivateRedis(cleanup, {
        ...serverOptions,
        admin,
        port,
        args: [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
          ...['--cluster-port', String(busPort)],
        ],
      }),
    );
  }
  const admins = nodes.map((node) => {
    const admin = new Redis({ ...node.adminOptions, maxRetriesPerRequest: 1 });
    admin.on('error', () => {});
    return admin;
  });
  try {
    const perNode = Math.ceil(CLUSTER_SLOTS / masters);
    for (const [index, admin] of admins.entries()) {
      const first = index * perNode;
      const last = Math.min(CLUSTER_SLOTS, first + perNode) - 1;
      // A retried command (the reply lost under load) finds its slots taken: fine, the state
      // check below proves every slot is assigned.
      await admin
        .call('CLUSTER', 'ADDSLOTSRANGE', String(first), String(last))
        .catch((error: Error) => {
          if (!/already busy/.test(error.message)) throw error;
        });
    }
    // Distinct config epochs before the nodes meet, as redis-cli --cluster create does: with all
    // at epoch 0 they resolve the collision one bump at a time, and under load the cluster was
    // still not ok after 20 s (slots assigned on some nodes only).
    for (const [index, admin] of admins.entries())
      await admin.call('CLUSTER', 'SET-CONFIG-EPOCH', String(index + 1));
    for (const [index, node] of nodes.entries()) {
      if (index === 0) continue;
      const bus = String(busPorts[index]);
      await admins[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port), bus);
    }
    await waitFor(
      async () => {
        for (const admin of admins) {
          const info = String(await admin.call('CLUSTER', 'INFO'));
          if (
            !info.includes('cluster_state:ok') ||
            !info.includes(`cluster_known_nodes:${masters}`)
          )
            return notYet(info.split('\r\n').slice(0, 6).join(' '));
        }
        return true;
      },
      { description: 'private Redis Cluster state ok', timeoutMs: 20_000 },
    );
  } finally {
    for (const admin of admins) admin.disconnect();
  }
  return { nodes, hostPorts: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })) };
}

/** `count` free ports that differ from each other and from `taken` (which gains them). */
async function distinctFreePorts(count: number, taken: Set<number>): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (taken.has(port)) continue;
    taken.add(port);
    ports.push(port);
  }
  return ports;
}
