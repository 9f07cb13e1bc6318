import { hashSlot, NEAR_PROBE_PREFIX, nearProbeKey } from '@freshen/keys';
import type { RedisClient } from '@freshen/storage';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { NearCacheMetrics } from '../metrics/near-cache-metrics.ts';
import type { NearCache } from './near-cache.ts';
import { TrackingConnection } from './tracking-connection.ts';

interface Probe {
  key: string;
  ackAtMs?: number;
  receivedAtMs?: number;
}

/**
 * Keeps a NearCache in step with Redis: one TrackingConnection per server (per master of a
 * Cluster, since each node reports changes of its own slots only). The near cache serves only
 * while every connection is tracking, and is flushed whenever one is lost, the Cluster's
 * masters change (failover, resharding) or a server invalidates everything.
 *
 * Each connection also measures its notification delay: every probe interval it writes its
 * probe key (through the application's client, like any writer) and times the invalidation
 * Redis sends back, from the write's acknowledgement; an invalidation that overtakes the
 * acknowledgement counts as 0. That is the staleness window a reader of a changed key sees.
 */
export class InvalidationTracker {
  private readonly redis: RedisClient;
  private readonly near: NearCache;
  private readonly metrics: NearCacheMetrics;
  private readonly owner = randomBytes(6).toString('hex');
  private readonly connections = new Map<string, TrackingConnection>();
  private readonly probes = new Map<string, Probe>();
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readyWaiters: (() => void)[] = [];

  constructor(redis: RedisClient, near: NearCache, metrics: NearCacheMetrics) {
    this.redis = redis;
    this.near = near;
    this.metrics = metrics;
  }

  start(): void {
    if (isCluster(this.redis)) {
      const cluster = this.redis;
      // 'refresh' follows every slots refresh (failover, resharding, added nodes).
      cluster.on('refresh', () => this.syncClusterMasters(cluster));
      if (cluster.status === 'ready') this.syncClusterMasters(cluster);
      else cluster.once('ready', () => this.syncClusterMasters(cluster));
    } else {
      this.add(this.redis);
    }
    if (this.near.options.probeIntervalMs > 0) {
      this.probeTimer = setInterval(() => void this.probe(), this.near.options.probeIntervalMs);
      this.probeTimer.unref();
    }
  }

  /** Resolves once the near cache serves (every connection tracks). */
  ready(): Promise<void> {
    if (this.near.isServing) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** The tracking connections by server address (tests kill them to prove the flush). */
  trackingClientIds(): Map<string, number | undefined> {
    return new Map([...this.connections].map(([address, c]) => [address, c.clientId]));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
    this.near.setServing(false, 'closed');
  }

  private add(server: Redis): void {
    const prefixes = [...this.near.options.prefixes];
    if (this.near.options.probeIntervalMs > 0) prefixes.push(NEAR_PROBE_PREFIX);
    const connection: TrackingConnection = new TrackingConnection(server, prefixes, {
      onReady: () => this.updateServing(),
      onLost: () => this.updateServing(),
      onKeys: (keys, atMs) => this.received(keys, atMs),
      onFlushAll: () => this.near.flush('server_flush'),
    });
    this.connections.set(connection.address, connection);
    connection.start();
  }

  private syncClusterMasters(cluster: Cluster): void {
    if (this.closed) return;
    const masters = new Map(
      cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]),
    );
    const gone = [...this.connections.keys()].filter((address) => !masters.has(address));
    const added = [...masters.keys()].filter((address) => !this.connections.has(address));
    if (gone.length === 0 && added.length === 0) return;
    // Keys may have moved to servers not tracked until now: forget everything first.
    this.near.setServing(false, 'topology_change');
    for (const address of gone) {
      this.connections.get(address)!.close();
      this.connections.delete(address);
    }
    for (const address of added) this.add(masters.get(address)!);
    this.updateServing();
  }

  private updateServing(): void {
    if (this.closed) return;
    const all = [...this.connections.values()];
    const serving = all.length > 0 && all.every((connection) => connection.isTracking);
    if (serving === this.near.isServing) return;
    // Probes in flight may never hear back from a lost connection.
    if (!serving) this.probes.clear();
    this.near.setServing(serving);
    if (serving) for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private received(keys: string[], atMs: number): void {
    for (const key of keys) {
      if (key.startsWith(NEAR_PROBE_PREFIX)) this.probeReceived(key, atMs);
      else this.near.invalidate(key, atMs);
    }
  }

  private async probe(): Promise<void> {
    if (!this.near.isServing) return;
    for (const address of this.connections.keys()) {
      const key = this.probeKeyFor(address);
      if (key === undefined || this.probes.has(key)) continue;
      const probe: Probe = { key };
      this.probes.set(key, probe);
      try {
        await this.redis.set(key, '1', 'PX', 10 * this.near.options.probeIntervalMs);
        probe.ackAtMs = performance.now();
        this.observe(probe);
      } catch {
        this.probes.delete(key); // Redis is away: the tracking connection will say so too
      }
    }
  }

  private probeReceived(key: string, atMs: number): void {
    const probe = this.probes.get(key);
    if (!probe) return; // another process's probe
    probe.receivedAtMs = atMs;
    this.observe(probe);
  }

  private observe(probe: Probe): void {
    if (probe.ackAtMs === undefined || probe.receivedAtMs === undefined) return;
    this.probes.delete(probe.key);
    this.metrics.staleness.observe(Math.max(0, probe.receivedAtMs - probe.ackAtMs) / 1000);
  }

  /** A probe key served by the server at `address`. */
  private probeKeyFor(address: string): string | undefined {
    if (!isCluster(this.redis)) return nearProbeKey(this.owner);
    const slot = this.redis.slots.findIndex((nodes) => nodes?.[0] === address);
    if (slot < 0) return undefined;
    const key = nearProbeKey(this.owner, slot);
    return hashSlot(key) === slot ? key : undefined;
  }
}

function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}
