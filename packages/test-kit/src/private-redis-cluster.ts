import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type CloseList } from '@freshen/runtime';
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
  // One admin for every node, so that a cluster client can use it too.
  const admin = newRedisAdmin();
  for (let index = 0; index < masters; index += 1) {
    // Each node writes its nodes.conf; a folder per cluster keeps them apart.
    const dir = await mkdtemp(join(tmpdir(), 'freshen-redis-cluster-'));
    cleanup.add(`cluster node folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
    nodes.push(
      await startPrivateRedis(cleanup, {
        ...serverOptions,
        admin,
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
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
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', String(first), String(last));
    }
    for (const node of nodes.slice(1)) {
      await admins[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port));
    }
    await waitFor(
      async () => {
        for (const admin of admins) {
          const info = String(await admin.call('CLUSTER', 'INFO'));
          if (
            !info.includes('cluster_state:ok') ||
            !info.includes(`cluster_known_nodes:${masters}`)
          )
            return false;
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
