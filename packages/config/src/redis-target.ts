import { hostPorts, oneOf, url } from './options/builders.ts';

export interface HostPort {
  host: string;
  port: number;
}

/** Where a component's Redis is: one server, or a Redis Cluster seeded from some nodes. */
export type RedisTarget = { url: string } | { clusterNodes: HostPort[] };

/**
 * The Redis settings every component shares (the services and the warming CLI), declared once
 * so the variables, defaults and docs cannot drift apart. Spread into a config schema.
 */
export const REDIS_TARGET_OPTIONS = {
  REDIS_MODE: oneOf(['standalone', 'cluster'] as const, {
    default: 'standalone',
    doc: 'standalone: one Redis at REDIS_URL; cluster: Redis Cluster seeded from REDIS_CLUSTER_NODES.',
  }),
  REDIS_URL: url({
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
    doc: 'Redis server (REDIS_MODE=standalone).',
  }),
  REDIS_CLUSTER_NODES: hostPorts({
    default: [],
    doc: 'Some Redis Cluster nodes, host:port,... (REDIS_MODE=cluster).',
  }),
};

/** `host:port` (as validated by the hostPorts option) as an object. */
export function toHostPort(text: string): HostPort {
  const separator = text.lastIndexOf(':');
  return { host: text.slice(0, separator), port: Number(text.slice(separator + 1)) };
}

/**
 * The target named by the REDIS_* settings, or the one problem line that says what is missing
 * (for the caller's ConfigError, beside its other problems).
 */
export function redisTargetOf(raw: {
  REDIS_MODE: 'standalone' | 'cluster';
  REDIS_URL: string;
  REDIS_CLUSTER_NODES: string[];
}): { target: RedisTarget } | { problem: string } {
  if (raw.REDIS_MODE === 'standalone') return { target: { url: raw.REDIS_URL } };
  if (raw.REDIS_CLUSTER_NODES.length === 0) {
    return {
      problem:
        'REDIS_MODE=cluster needs REDIS_CLUSTER_NODES. Set it to host:port of one or more cluster nodes',
    };
  }
  return { target: { clusterNodes: raw.REDIS_CLUSTER_NODES.map(toHostPort) } };
}
