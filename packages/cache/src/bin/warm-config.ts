import {
  ConfigError,
  hostPorts,
  oneOf,
  readConfig,
  url,
  withStackEnv,
  type Env,
} from '@freshen/config';

/** Redis settings of the warming CLI; same variables as the services. */
export const WARM_CONFIG_SCHEMA = {
  REDIS_MODE: oneOf(['standalone', 'cluster'] as const, {
    default: 'standalone',
    doc: 'standalone: one Redis at REDIS_URL; cluster: Redis Cluster seeded from REDIS_CLUSTER_NODES.',
  }),
  REDIS_URL: url({
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
    doc: 'Redis server to warm (REDIS_MODE=standalone).',
  }),
  REDIS_CLUSTER_NODES: hostPorts({
    default: [],
    doc: 'Some Redis Cluster nodes (REDIS_MODE=cluster).',
  }),
};

export type WarmRedisConfig = { url: string } | { clusterNodes: { host: string; port: number }[] };

/** Reads the CLI's environment once (the local stack's .stack/env fills unset variables). */
export function readWarmConfig(
  env: Env = withStackEnv(process.env, process.cwd()),
): WarmRedisConfig {
  const raw = readConfig(WARM_CONFIG_SCHEMA, env);
  if (raw.REDIS_MODE === 'standalone') return { url: raw.REDIS_URL };
  if (raw.REDIS_CLUSTER_NODES.length === 0) {
    throw new ConfigError([
      'REDIS_MODE=cluster needs REDIS_CLUSTER_NODES. Set it to host:port of one or more cluster nodes',
    ]);
  }
  return {
    clusterNodes: raw.REDIS_CLUSTER_NODES.map((node) => {
      const [host, port] = node.split(':');
      return { host: host!, port: Number(port) };
    }),
  };
}
