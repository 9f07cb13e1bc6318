import { Cluster } from 'ioredis';
import { newRedis, stackSettings, uniqueName, useCleanup } from '../../src/index.ts';

const cleanup = useCleanup();

describe('stack: Redis', () => {
  it('answers SET/GET through ioredis', async () => {
    const redis = newRedis(cleanup);
    const key = uniqueName('smoke');
    await redis.set(key, 'fresh', 'PX', 60_000);
    expect(await redis.get(key)).toBe('fresh');
    await redis.unlink(key);
  });

  it('runs a three-master Redis Cluster that routes keys by slot', async () => {
    const cluster = new Cluster(stackSettings().redisClusterNodes);
    cleanup.add('cluster client', () => cluster.quit());
    const keys = Array.from({ length: 30 }, (_, i) => uniqueName(`smoke${i}`));
    for (const key of keys) await cluster.set(key, key, 'PX', 60_000);
    for (const key of keys) expect(await cluster.get(key)).toBe(key);
    expect(cluster.nodes('master')).toHaveLength(3);
    for (const key of keys) await cluster.unlink(key);
  });
});
