import { parseMetrics } from '@freshen/harness';
import { startPrivateRedis, stackSettings, useCleanup } from '@freshen/test-kit';
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createInvalidatorRedisClient } from '../../src/redis/redis-client.ts';
import { parseRedisInfo, registerRedisServerMetrics } from '../../src/ops/redis-server-metrics.ts';

const cleanup = useCleanup();
const FIGURES = [
  'used_memory_bytes',
  'maxmemory_bytes',
  'evicted_keys_total',
  'connected_clients',
  'keyspace_hits_total',
  'keyspace_misses_total',
];

async function scrape(registry: Registry) {
  return parseMetrics(await registry.metrics());
}

describe('Redis server metrics', () => {
  it('reads INFO at scrape time, and leaves the figures out while Redis is down', async () => {
    const server = await startPrivateRedis(cleanup);
    const redis = createInvalidatorRedisClient({ url: server.url }) as Redis;
    cleanup.add('redis client', () => redis.disconnect());
    await redis.connect();
    await redis.config('SET', 'maxmemory', String(64 * 1024 * 1024));
    await redis.get('freshen-missing-key');
    await redis.set('freshen-present-key', 'x');
    await redis.get('freshen-present-key');
    const registry = new Registry();
    registerRedisServerMetrics(redis, registry);
    const node = `{node="127.0.0.1:${server.port}"}`;

    const live = await scrape(registry);
    expect(live.get(`freshen_redis_up${node}`)).toBe(1);
    expect(live.get(`freshen_redis_maxmemory_bytes${node}`)).toBe(64 * 1024 * 1024);
    expect(live.get(`freshen_redis_used_memory_bytes${node}`)).toBeGreaterThan(100_000);
    expect(live.get(`freshen_redis_keyspace_hits_total${node}`)).toBe(1);
    expect(live.get(`freshen_redis_keyspace_misses_total${node}`)).toBe(1);
    expect(live.get(`freshen_redis_connected_clients${node}`)).toBeGreaterThanOrEqual(1);
    expect(live.get(`freshen_redis_evicted_keys_total${node}`)).toBe(0);

    await redis.get('freshen-present-key');
    expect((await scrape(registry)).get(`freshen_redis_keyspace_hits_total${node}`)).toBe(2);

    await server.stop();
    const started = performance.now();
    const down = await scrape(registry);
    expect(performance.now() - started).toBeLessThan(3000); // the timeout bounds a scrape
    expect(down.get(`freshen_redis_up${node}`)).toBe(0);
    for (const figure of FIGURES) expect(down.has(`freshen_redis_${figure}${node}`)).toBe(false);
  });

  it('answers within the timeout when Redis accepts the connection but does not reply', async () => {
    const server = await startPrivateRedis(cleanup);
    const redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
    cleanup.add('redis client', () => redis.disconnect());
    const blocker = new Redis(server.url);
    cleanup.add('blocker', () => blocker.disconnect());
    const registry = new Registry();
    registerRedisServerMetrics(redis, registry);
    await redis.ping();
    // CLIENT PAUSE holds every client's commands, as a wedged Redis would.
    await blocker.client('PAUSE', 1500, 'ALL');
    const started = performance.now();
    const blocked = await scrape(registry);
    expect(performance.now() - started).toBeLessThan(2500);
    expect(blocked.get(`freshen_redis_up{node="127.0.0.1:${server.port}"}`)).toBe(0);
  });

  it('reports every master of a cluster', async () => {
    const cluster = new Cluster(stackSettings().redisClusterNodes);
    cleanup.add('cluster', () => cluster.quit());
    await cluster.ping();
    const registry = new Registry();
    registerRedisServerMetrics(cluster, registry);
    const snapshot = await scrape(registry);
    const up = [...snapshot].filter(([name]) => name.startsWith('freshen_redis_up{'));
    expect(up.length).toBe(stackSettings().redisClusterNodes.length);
    expect(up.every(([, value]) => value === 1)).toBe(true);
  });

  it('parses the INFO fields it exports and ignores the rest', () => {
    expect(
      parseRedisInfo('# Memory\r\nused_memory:1024\r\nused_memory_human:1K\r\nmaxmemory:0\r\n'),
    ).toEqual({ used_memory: 1024, maxmemory: 0 });
  });
});
