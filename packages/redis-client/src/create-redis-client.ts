import type { RedisTarget } from '@freshen/config';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { credentialsOf, tlsOf, tlsOptionsOf } from './redis-secrets.ts';

export type RedisClient = Redis | Cluster;

/** How a caller wants its client to behave; the connection itself comes from the target. */
export interface RedisClientTuning {
  /** Options of every server connection (timeouts, retries, offline queue). */
  node?: RedisOptions;
  /** Options of the Cluster client itself (REDIS_MODE=cluster only). */
  cluster?: Omit<ClusterOptions, 'redisOptions'>;
}

/** Host, port, database and credentials of a redis:// or rediss:// URL. */
function urlOptions(text: string): RedisOptions {
  const url = new URL(text);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 6379),
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(db !== undefined && Number.isInteger(db) && { db }),
  };
}

/**
 * A master that a failover demoted answers writes with READONLY until the client reconnects;
 * reconnect (and resend) so the command reaches the new master.
 */
function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/**
 * The one place that turns Redis settings into an ioredis client: one server, a Redis
 * Cluster or a Sentinel-watched master, with the target's ACL user and TLS applied to every
 * data connection (and the sentinel's own credentials and the same TLS to the sentinels).
 * Files (CA, client certificate, password) are read here, once; a missing one throws a
 * CONFIG_INVALID FreshenError naming the variable. The caller connects and closes the client.
 */
export function createRedisClient(
  target: RedisTarget,
  tuning: RedisClientTuning = {},
): RedisClient {
  const settings = tlsOf(target);
  const tls = settings ? tlsOptionsOf(settings) : undefined;
  const credentials = credentialsOf(target.auth, { password: 'REDIS_PASSWORD_FILE' });
  const node: RedisOptions = {
    reconnectOnError: reconnectOnReadonly,
    ...tuning.node,
    ...credentials,
    ...(tls && { tls }),
  };
  if ('url' in target) return new Redis({ ...urlOptions(target.url), ...node });
  if ('clusterNodes' in target) {
    // The Cluster client connects its nodes itself: a lazy node never completes its start.
    const { lazyConnect: _lazy, ...perNode } = node;
    return new Cluster(target.clusterNodes, {
      ...tuning.cluster,
      redisOptions: perNode,
      // Keep the names the cluster announces, so TLS checks them (not an IP they resolve to).
      ...(tls && { dnsLookup: (address, callback) => callback(null, address) }),
    });
  }
  const sentinel = credentialsOf(target.sentinelAuth, { password: 'REDIS_SENTINEL_PASSWORD_FILE' });
  return new Redis({
    ...node,
    sentinels: target.sentinels,
    name: target.masterName,
    // Reconnect as soon as the sentinels announce a new master (+switch-master), instead of
    // writing to the old one until it is demoted.
    failoverDetector: true,
    ...(sentinel.username !== undefined && { sentinelUsername: sentinel.username }),
    ...(sentinel.password !== undefined && { sentinelPassword: sentinel.password }),
    ...(tls && { enableTLSForSentinelMode: true, sentinelTLS: tls }),
  });
}
