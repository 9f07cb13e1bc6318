import { SECOND, sleep } from '@freshen/runtime';
import { Cluster, type Redis } from 'ioredis';

/** One Redis server (a cluster shows one per master) as `freshen status` shows it. */
export interface RedisServerStatus {
  node: string;
  usedMemoryBytes: number;
  /** 0 means no limit. */
  maxMemoryBytes: number;
  evictionPolicy: string;
  /** Evicted keys per second between the two INFO samples. */
  evictionsPerSecond: number;
  connectedClients: number;
  /** keyspace_hits / (hits + misses) since the server started; null before the first read. */
  hitRate: number | null;
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const separator = line.indexOf(':');
    if (separator > 0 && !line.startsWith('#'))
      fields.set(line.slice(0, separator), line.slice(separator + 1));
  }
  return fields;
}

/**
 * Two INFO samples `intervalMs` apart on every master: memory, policy, clients and hit rate
 * from the second, evictions per second from the difference.
 */
export async function readRedisStatus(
  redis: Redis | Cluster,
  intervalMs: number,
): Promise<RedisServerStatus[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const sample = () => Promise.all(nodes.map(async (node) => parseInfo(await node.info())));
  const first = await sample();
  const startedAt = performance.now();
  await sleep(intervalMs);
  const second = await sample();
  const seconds = (performance.now() - startedAt) / SECOND;
  return nodes.map((node, index) => {
    const now = second[index]!;
    const field = (name: string) => Number(now.get(name) ?? 0);
    const hits = field('keyspace_hits');
    const misses = field('keyspace_misses');
    const evicted = field('evicted_keys') - Number(first[index]!.get('evicted_keys') ?? 0);
    return {
      node: `${node.options.host ?? '?'}:${node.options.port ?? '?'}`,
      usedMemoryBytes: field('used_memory'),
      maxMemoryBytes: field('maxmemory'),
      evictionPolicy: now.get('maxmemory_policy') ?? 'unknown',
      evictionsPerSecond: Math.round((evicted / seconds) * 10) / 10,
      connectedClients: field('connected_clients'),
      hitRate: hits + misses === 0 ? null : Math.round((hits / (hits + misses)) * 1000) / 1000,
    };
  });
}
