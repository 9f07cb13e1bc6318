import { boolean, hostPorts, oneOf, string, url } from './options/builders.ts';

export interface HostPort {
  host: string;
  port: number;
}

/** An ACL user and its password; the password given as text or as a file that holds it. */
export interface RedisAuth {
  username?: string;
  password?: string;
  /** A file whose content (trailing newline removed) is the password; wins over `password`. */
  passwordFile?: string;
}

/**
 * TLS towards Redis. The server's certificate is always verified (against `caFile`, or the
 * system's authorities without it), and so is its host name (against `serverName` if set,
 * else the host connected to).
 */
export interface RedisTls {
  caFile?: string;
  /** Client certificate and key (PEM) for servers that require mutual TLS (tls-auth-clients). */
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

/** Which Redis servers: one, a Redis Cluster seeded from some nodes, or a Sentinel-watched master. */
export type RedisTopology =
  { url: string } | { clusterNodes: HostPort[] } | { sentinels: HostPort[]; masterName: string };

/**
 * Where a component's Redis is and how to reach it. `auth` and `tls` apply to every data
 * server (each cluster node, each master a sentinel names); `sentinelAuth` to the sentinels.
 * With a `url`, a user and password in the URL count unless `auth` names its own, and
 * `rediss://` turns TLS on.
 */
export type RedisTarget = RedisTopology & {
  auth?: RedisAuth;
  tls?: RedisTls;
  sentinelAuth?: RedisAuth;
};

/**
 * The Redis settings every component shares (the services and the warming CLI), declared once
 * so the variables, defaults and docs cannot drift apart. Spread into a config schema.
 */
export const REDIS_TARGET_OPTIONS = {
  REDIS_MODE: oneOf(['standalone', 'cluster', 'sentinel'] as const, {
    default: 'standalone',
    doc: 'standalone: one Redis at REDIS_URL; cluster: Redis Cluster seeded from REDIS_CLUSTER_NODES; sentinel: the master REDIS_SENTINEL_MASTER that REDIS_SENTINELS watch.',
  }),
  REDIS_URL: url({
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
    doc: 'Redis server (REDIS_MODE=standalone); rediss:// for TLS, redis://user:password@host:port for an ACL user.',
  }),
  REDIS_CLUSTER_NODES: hostPorts({
    default: [],
    doc: 'Some Redis Cluster nodes, host:port,... (REDIS_MODE=cluster).',
  }),
  REDIS_SENTINELS: hostPorts({
    default: [],
    doc: 'Sentinels, host:port,... (REDIS_MODE=sentinel).',
  }),
  REDIS_SENTINEL_MASTER: string({
    default: 'mymaster',
    doc: 'The master name the sentinels monitor (REDIS_MODE=sentinel).',
  }),
  REDIS_USERNAME: string({
    default: '',
    doc: 'ACL user on every Redis server (every mode); default: the one in REDIS_URL, else "default".',
  }),
  REDIS_PASSWORD: string({
    default: '',
    secret: true,
    doc: "Password of REDIS_USERNAME (every mode); prefer REDIS_PASSWORD_FILE. Default: REDIS_URL's.",
  }),
  REDIS_PASSWORD_FILE: string({
    default: '',
    doc: 'File holding the Redis password (e.g. a mounted secret); wins over REDIS_PASSWORD.',
  }),
  REDIS_TLS: boolean({
    default: false,
    doc: 'TLS to every Redis server and sentinel; implied by a rediss:// REDIS_URL.',
  }),
  REDIS_TLS_CA_FILE: string({
    default: '',
    doc: "PEM file of the authorities that sign Redis's certificates; default: the system's.",
  }),
  REDIS_TLS_CERT_FILE: string({
    default: '',
    doc: 'PEM client certificate, for servers that require mutual TLS (with REDIS_TLS_KEY_FILE).',
  }),
  REDIS_TLS_KEY_FILE: string({
    default: '',
    doc: 'PEM private key of REDIS_TLS_CERT_FILE.',
  }),
  REDIS_TLS_SERVER_NAME: string({
    default: '',
    doc: "Host name the servers' certificates must name; default: the host connected to.",
  }),
  REDIS_SENTINEL_USERNAME: string({
    default: '',
    doc: 'ACL user on the sentinels (REDIS_MODE=sentinel); default "default".',
  }),
  REDIS_SENTINEL_PASSWORD: string({
    default: '',
    secret: true,
    doc: "The sentinels' password (their requirepass or ACL user's); prefer REDIS_SENTINEL_PASSWORD_FILE.",
  }),
  REDIS_SENTINEL_PASSWORD_FILE: string({
    default: '',
    doc: "File holding the sentinels' password; wins over REDIS_SENTINEL_PASSWORD.",
  }),
};

/** `host:port` (as validated by the hostPorts option) as an object. */
export function toHostPort(text: string): HostPort {
  const separator = text.lastIndexOf(':');
  return { host: text.slice(0, separator), port: Number(text.slice(separator + 1)) };
}

type RedisTargetSettings = {
  readonly [K in keyof typeof REDIS_TARGET_OPTIONS]: (typeof REDIS_TARGET_OPTIONS)[K] extends {
    parse(raw: string): infer T;
  }
    ? T
    : never;
};

/** Only the fields that are set, so that an unset one does not override the URL's. */
function authOf(username: string, password: string, passwordFile: string): RedisAuth | undefined {
  const auth: RedisAuth = {
    ...(username && { username }),
    ...(password && { password }),
    ...(passwordFile && { passwordFile }),
  };
  return Object.keys(auth).length > 0 ? auth : undefined;
}

function topologyOf(raw: RedisTargetSettings): RedisTopology | string {
  if (raw.REDIS_MODE === 'standalone') return { url: raw.REDIS_URL };
  if (raw.REDIS_MODE === 'cluster') {
    if (raw.REDIS_CLUSTER_NODES.length === 0)
      return 'REDIS_MODE=cluster needs REDIS_CLUSTER_NODES. Set it to host:port of one or more cluster nodes';
    return { clusterNodes: raw.REDIS_CLUSTER_NODES.map(toHostPort) };
  }
  if (raw.REDIS_SENTINELS.length === 0)
    return 'REDIS_MODE=sentinel needs REDIS_SENTINELS. Set it to host:port of one or more sentinels';
  return { sentinels: raw.REDIS_SENTINELS.map(toHostPort), masterName: raw.REDIS_SENTINEL_MASTER };
}

/**
 * The target named by the REDIS_* settings, or the one problem line that says what is missing
 * (for the caller's ConfigError, beside its other problems).
 */
export function redisTargetOf(
  raw: RedisTargetSettings,
): { target: RedisTarget } | { problem: string } {
  const topology = topologyOf(raw);
  if (typeof topology === 'string') return { problem: topology };
  const tlsOn =
    raw.REDIS_TLS || ('url' in topology && topology.url.toLowerCase().startsWith('rediss:'));
  const tlsFiles = [
    'REDIS_TLS_CA_FILE',
    'REDIS_TLS_CERT_FILE',
    'REDIS_TLS_KEY_FILE',
    'REDIS_TLS_SERVER_NAME',
  ] as const;
  const tlsSet = tlsFiles.filter((name) => raw[name] !== '');
  if (!tlsOn && tlsSet.length > 0) {
    return {
      problem: `${tlsSet.join(', ')} set but TLS to Redis is off: use a rediss:// REDIS_URL or set REDIS_TLS=true (or unset ${tlsSet.join(', ')})`,
    };
  }
  if ((raw.REDIS_TLS_CERT_FILE === '') !== (raw.REDIS_TLS_KEY_FILE === '')) {
    return {
      problem:
        'REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together (a client certificate and its key): set both or neither',
    };
  }
  const auth = authOf(raw.REDIS_USERNAME, raw.REDIS_PASSWORD, raw.REDIS_PASSWORD_FILE);
  const sentinelAuth = authOf(
    raw.REDIS_SENTINEL_USERNAME,
    raw.REDIS_SENTINEL_PASSWORD,
    raw.REDIS_SENTINEL_PASSWORD_FILE,
  );
  const tls: RedisTls = {
    ...(raw.REDIS_TLS_CA_FILE && { caFile: raw.REDIS_TLS_CA_FILE }),
    ...(raw.REDIS_TLS_CERT_FILE && { certFile: raw.REDIS_TLS_CERT_FILE }),
    ...(raw.REDIS_TLS_KEY_FILE && { keyFile: raw.REDIS_TLS_KEY_FILE }),
    ...(raw.REDIS_TLS_SERVER_NAME && { serverName: raw.REDIS_TLS_SERVER_NAME }),
  };
  return {
    target: {
      ...topology,
      ...(auth && { auth }),
      ...(tlsOn && { tls }),
      ...(sentinelAuth && 'sentinels' in topology && { sentinelAuth }),
    },
  };
}
