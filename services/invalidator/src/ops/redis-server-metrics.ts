import { SECOND } from '@freshen/runtime';
import type { Cluster, Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';

/** How long one scrape waits for INFO before it reports the node down. */
const INFO_TIMEOUT = 1 * SECOND;

/** INFO fields exported, each as `freshen_redis_<name>` labelled with the node. */
const INFO_FIELDS = {
  used_memory: ['used_memory_bytes', 'Memory Redis has allocated (INFO used_memory).'],
  maxmemory: ['maxmemory_bytes', 'The memory limit (INFO maxmemory); 0 means none.'],
  evicted_keys: [
    'evicted_keys_total',
    "Keys evicted because of maxmemory (INFO evicted_keys, Redis's counter since its start).",
  ],
  connected_clients: ['connected_clients', 'Client connections (INFO connected_clients).'],
  keyspace_hits: [
    'keyspace_hits_total',
    "Successful key lookups (INFO keyspace_hits, Redis's counter since its start).",
  ],
  keyspace_misses: [
    'keyspace_misses_total',
    "Failed key lookups (INFO keyspace_misses, Redis's counter since its start).",
  ],
} as const;

type InfoField = keyof typeof INFO_FIELDS;

/** One node's answer: its figures, or undefined when it did not answer in time. */
type NodeScrape = { node: string; figures: Partial<Record<InfoField, number>> | undefined };

/** The numeric INFO fields we export, from INFO's `name:value` lines. */
export function parseRedisInfo(text: string): Partial<Record<InfoField, number>> {
  const figures: Partial<Record<InfoField, number>> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon > 0 && name in INFO_FIELDS) {
      const value = Number(line.slice(colon + 1));
      if (Number.isFinite(value)) figures[name as InfoField] = value;
    }
  }
  return figures;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The nodes to ask: the one server, or every master of a cluster. */
function nodesOf(redis: Redis | Cluster): { node: string; client: Redis }[] {
  const clients =
    'nodes' in redis && typeof redis.nodes === 'function'
      ? redis.nodes('master')
      : [redis as Redis];
  return clients.map((client) => ({
    node: `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}`,
    client,
  }));
}

/**
 * Gauges of the Redis server(s) the invalidator writes to, read with INFO at scrape time (no
 * polling in between), each INFO waited for at most INFO_TIMEOUT. Honest when Redis is down:
 * `freshen_redis_up{node}` is 0 and that node's other figures are left out of the scrape rather
 * than repeating the last ones seen. A cluster that has no known master (never connected) shows
 * as `freshen_redis_up{node="cluster"} 0`.
 */
export function registerRedisServerMetrics(redis: Redis | Cluster, registry: Registry): void {
  let scraping: Promise<NodeScrape[]> | undefined;
  // Every gauge's collect runs in the same scrape; they share one round of INFO.
  const scrape = () => {
    scraping ??= Promise.all(
      nodesOf(redis).map(async ({ node, client }) => ({
        node,
        figures: await withTimeout(client.info(), INFO_TIMEOUT).then(
          parseRedisInfo,
          () => undefined,
        ),
      })),
    ).finally(() => setImmediate(() => (scraping = undefined)));
    return scraping;
  };
  new Gauge({
    name: 'freshen_redis_up',
    help: `1 when the Redis node answered INFO during this scrape (within ${INFO_TIMEOUT} ms), 0 when not; its other freshen_redis_ figures are then absent.`,
    labelNames: ['node'] as const,
    registers: [registry],
    async collect() {
      const nodes = await scrape();
      this.reset();
      if (nodes.length === 0) this.set({ node: 'cluster' }, 0);
      for (const { node, figures } of nodes) this.set({ node }, figures ? 1 : 0);
    },
  });
  for (const [field, [name, help]] of Object.entries(INFO_FIELDS)) {
    new Gauge({
      name: `freshen_redis_${name}`,
      help,
      labelNames: ['node'] as const,
      registers: [registry],
      async collect() {
        const nodes = await scrape();
        this.reset();
        for (const { node, figures } of nodes) {
          const value = figures?.[field as InfoField];
          if (value !== undefined) this.set({ node }, value);
        }
      },
    });
  }
}
