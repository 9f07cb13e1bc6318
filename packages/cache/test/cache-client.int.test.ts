import { defineKeyspace, leaseKeyFor } from '@freshen/keys';
import { FreshenError, sleep } from '@freshen/runtime';
import {
  deleteKeysWithPrefix,
  newRedis,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { CacheClient } from '../src/cache-client.ts';
import { encodeStoredValue } from '@freshen/storage';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const keyspace = defineKeyspace({ prefix: uniqueName('cache') });
const thing = keyspace.kind('thing', ['id'] as const);
cleanup.add('cache keys', async () => {
  await deleteKeysWithPrefix(redis, keyspace.base);
  await deleteKeysWithPrefix(redis, `{${keyspace.base}`);
});

let next = 0;
/** A fresh key per test. */
const newKey = () => thing.key({ id: ++next });
const counted = (value: number) => ({ values: [expect.objectContaining({ value })] });

describe('getOrLoad', () => {
  it('loads on a miss, fills under a lease, and answers from Redis afterwards', async () => {
    const cache = new CacheClient(redis, { ttlMs: 60_000 });
    const key = newKey();
    let loads = 0;
    const loader = async () => ({ n: ++loads });

    expect(await cache.read(key, loader)).toEqual({
      value: { n: 1 },
      source: 'loader',
      fill: 'written',
    });
    expect(await cache.read(key, loader)).toMatchObject({ value: { n: 1 }, source: 'cache' });
    expect(loads).toBe(1);
    expect(await redis.exists(leaseKeyFor(key))).toBe(0); // the fill removed its lease
    const ttl = await redis.pttl(key);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(ttl).toBeGreaterThan(60_000 * 0.9 - 1_000); // jitter shortens by at most 10 %
    expect(await cache.metrics.hits.get()).toMatchObject(counted(1));
    expect(await cache.metrics.misses.get()).toMatchObject(counted(1));
  });

  it('reads plain serialized values written by the invalidator refresh', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    await redis.set(key, JSON.stringify({ email: 'a@b.c' }), 'PX', 10_000);
    expect(await cache.getOrLoad(key, () => Promise.reject(new Error('must not load')))).toEqual({
      email: 'a@b.c',
    });
  });

  it('lets only one of many concurrent readers of a missing key run the loader (stampede protection)', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    let loads = 0;
    const slowLoader = async () => {
      loads++;
      await sleep(100); // a slow query, so the other readers find the lease
      return 'value';
    };
    const values = await Promise.all(
      Array.from({ length: 20 }, () => cache.getOrLoad(key, slowLoader)),
    );
    expect(values).toEqual(Array(20).fill('value'));
    expect(loads).toBe(1);
    const waits = await cache.metrics.leaseWaits.get();
    expect(waits.values.find((v) => v.labels.outcome === 'hit')?.value).toBeGreaterThan(0);
  });

  it('without leases the same stampede runs the loader once per reader', async () => {
    const naive = new CacheClient(redis, { leases: false });
    const key = newKey();
    let loads = 0;
    const slowLoader = async () => {
      loads++;
      await sleep(100);
      return 'value';
    };
    await Promise.all(Array.from({ length: 20 }, () => naive.getOrLoad(key, slowLoader)));
    expect(loads).toBe(20);
  });

  it('does not load again when another reader fills between its miss and its lease (regression: two loads in a stampede)', async () => {
    const key = newKey();
    let hooked = false;
    // After this reader's first read (a miss), another reader fills and releases its lease,
    // exactly as the fill script does, before this reader asks for the lease.
    const racing = new Proxy(redis, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (property !== 'get') {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: Parameters<Redis['get']>) => {
          const reply = await target.get(...args);
          if (!hooked) {
            hooked = true;
            await target
              .multi()
              .set(key, '"filled by another"', 'PX', 60_000)
              .del(leaseKeyFor(key))
              .exec();
          }
          return reply;
        };
      },
    });
    const cache = new CacheClient(racing);
    let loads = 0;
    const read = await cache.read(key, async () => {
      loads++;
      return 'second load';
    });
    expect(read).toEqual({ value: 'filled by another', source: 'cache' });
    expect(loads).toBe(0);
    expect(await redis.exists(leaseKeyFor(key))).toBe(0);
  });

  it("passes the loader's error to the caller, caches nothing and releases the lease", async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    const failure = new Error('database is down');
    const read = cache.getOrLoad(key, () => Promise.reject(failure));
    await expect(read).rejects.toMatchObject({ code: 'LOADER_FAILED', cause: failure });
    await expect(read).rejects.toBeInstanceOf(FreshenError);
    expect(await redis.exists(key, leaseKeyFor(key))).toBe(0);
    expect(await cache.metrics.loadErrors.get()).toMatchObject(counted(1));
  });

  it('after the lease wait bound, loads itself and does not fill', async () => {
    const cache = new CacheClient(redis, { leaseWaitMs: 50 });
    const key = newKey();
    await redis.set(leaseKeyFor(key), 'someone-else', 'PX', 10_000);
    const read = await cache.read(key, async () => 'fallback');
    expect(read).toEqual({
      value: 'fallback',
      source: 'loader',
      fill: 'not_cached',
      waitedForLease: true,
    });
    expect(await redis.exists(key)).toBe(0);
    expect(await redis.get(leaseKeyFor(key))).toBe('someone-else');
    const waits = await cache.metrics.leaseWaits.get();
    expect(waits.values.find((v) => v.labels.outcome === 'timeout')?.value).toBe(1);
  });

  it('takes the lease over when it disappears without a value (holder failed or invalidated)', async () => {
    const cache = new CacheClient(redis, { leaseWaitMs: 5_000 });
    const key = newKey();
    await redis.set(leaseKeyFor(key), 'someone-else', 'PX', 10_000);
    const read = cache.read(key, async () => 'mine');
    await waitFor(async () => (await cache.metrics.misses.get()).values[0]?.value === 1, {
      description: 'the miss',
    });
    await redis.del(leaseKeyFor(key));
    expect(await read).toEqual({
      value: 'mine',
      source: 'loader',
      fill: 'written',
      waitedForLease: true,
    });
    expect(await redis.get(key)).toContain('"mine"');
  });

  it('does not cache values over maxValueBytes, and counts them', async () => {
    const cache = new CacheClient(redis, { maxValueBytes: 100 });
    const key = newKey();
    const big = 'x'.repeat(200);
    expect(await cache.read(key, async () => big)).toEqual({
      value: big,
      source: 'loader',
      fill: 'too_large',
    });
    expect(await redis.exists(key, leaseKeyFor(key))).toBe(0);
    expect(await cache.metrics.tooLarge.get()).toMatchObject(counted(1));
  });

  it('caches null ("no such row") but never undefined', async () => {
    const cache = new CacheClient(redis);
    const nullKey = newKey();
    const undefinedKey = newKey();
    expect((await cache.read(nullKey, async () => null)).fill).toBe('written');
    expect(await cache.read(nullKey, async () => 'loaded')).toMatchObject({
      value: null,
      source: 'cache',
    });
    expect((await cache.read(undefinedKey, async () => undefined)).fill).toBe('not_cached');
    expect(await redis.exists(undefinedKey, leaseKeyFor(undefinedKey))).toBe(0);
  });

  it('uses a pluggable serializer', async () => {
    const upper = {
      serialize: (value: unknown) => `v:${String(value).toUpperCase()}`,
      deserialize: (text: string) => text.slice(2),
    };
    const cache = new CacheClient(redis, { serializer: upper });
    const key = newKey();
    await cache.getOrLoad(key, async () => 'abc');
    expect(await redis.get(key)).toMatch(/v:ABC$/);
    expect(await cache.getOrLoad(key, async () => 'unused')).toBe('ABC');
  });
});

describe('early refresh (XFetch)', () => {
  it('reloads a value whose remaining TTL is small compared with its load time', async () => {
    const cache = new CacheClient(redis, { random: () => 0.5 });
    const key = newKey();
    // Loaded in 10 s, 2 s left: -10000 * ln(0.5) = 6931 >= 2000, so it refreshes.
    await redis.set(key, encodeStoredValue('"old"', 10_000, Date.now() + 2_000), 'PX', 2_000);
    const read = await cache.read(key, async () => 'new');
    expect(read).toMatchObject({
      value: 'new',
      source: 'loader',
      fill: 'written',
      earlyRefresh: true,
    });
    expect(await cache.metrics.earlyRefreshes.get()).toMatchObject(counted(1));
    expect(await redis.pttl(key)).toBeGreaterThan(60_000);
  });

  it('serves the cached value while another reader holds the lease, or when the refresh fails', async () => {
    const cache = new CacheClient(redis, { random: () => 0.5 });
    const held = newKey();
    await redis.set(held, encodeStoredValue('"old"', 10_000, Date.now() + 2_000), 'PX', 2_000);
    await redis.set(leaseKeyFor(held), 'refreshing', 'PX', 10_000);
    expect(await cache.read(held, async () => 'new')).toEqual({ value: 'old', source: 'cache' });

    const failing = newKey();
    await redis.set(failing, encodeStoredValue('"old"', 10_000, Date.now() + 2_000), 'PX', 2_000);
    expect(await cache.read(failing, () => Promise.reject(new Error('boom')))).toEqual({
      value: 'old',
      source: 'cache',
    });
    expect(await redis.exists(leaseKeyFor(failing))).toBe(0);
  });

  it('leaves values alone when far from expiry', async () => {
    const cache = new CacheClient(redis, { random: () => 0.5 });
    const key = newKey();
    await redis.set(key, encodeStoredValue('"old"', 5, Date.now() + 60_000), 'PX', 60_000);
    expect(await cache.read(key, async () => 'new')).toEqual({ value: 'old', source: 'cache' });
  });
});

describe('Redis failures', () => {
  /** A client whose only connection attempt failed and that does not retry: every command fails. */
  const deadRedis = async () => {
    const client = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    await client.connect().catch(() => {});
    return client;
  };

  it("with onRedisError 'load' (default) serves from the loader without caching", async () => {
    const cache = new CacheClient(await deadRedis());
    expect(await cache.read(newKey(), async () => 'from db')).toEqual({
      value: 'from db',
      source: 'loader',
      fill: 'not_cached',
    });
    expect(await cache.metrics.redisErrors.get()).toMatchObject(counted(1));
  });

  it("with onRedisError 'throw' rejects", async () => {
    const cache = new CacheClient(await deadRedis(), { onRedisError: 'throw' });
    await expect(cache.getOrLoad(newKey(), async () => 'from db')).rejects.toThrow();
  });
});

describe('metrics', () => {
  it("register on the host's registry, shared by every client given it", async () => {
    const registry = new Registry();
    const first = new CacheClient(redis, { registry });
    const second = new CacheClient(redis, { registry });
    await first.getOrLoad(newKey(), async () => 1);
    await second.getOrLoad(newKey(), async () => 2);
    const text = await registry.metrics();
    expect(text).toContain('freshen_cache_misses_total 2');
    for (const name of [
      'hits',
      'lease_waits',
      'fills_refused',
      'early_refreshes',
      'values_too_large',
    ]) {
      expect(text).toContain(`freshen_cache_${name}_total`);
    }
    expect(text).toContain('freshen_cache_load_duration_seconds_bucket');
  });
});

describe('on a Redis Cluster', () => {
  it('fills under a lease in the key slot and refuses a fill after an invalidation', async () => {
    const { redisClusterNodes } = stackSettings();
    const cluster = new Cluster(redisClusterNodes, { redisOptions: { maxRetriesPerRequest: 2 } });
    cleanup.add('cluster', async () => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => cluster.unlink(thing.key({ id: `c${i}` }))),
      );
      await cluster.quit();
    });
    const cache = new CacheClient(cluster);
    for (let i = 0; i < 10; i++) {
      const key = thing.key({ id: `c${i}` });
      expect((await cache.read(key, async () => i)).fill).toBe('written');
      expect(await cache.getOrLoad(key, async () => -1)).toBe(i);
    }
    const raced = thing.key({ id: 'c0' });
    await cluster.unlink(raced);
    const read = cache.read(raced, async () => {
      await cluster.unlink(raced, leaseKeyFor(raced)); // the invalidation lands mid-load
      return 'stale';
    });
    expect((await read).fill).toBe('refused');
    expect(await cluster.exists(raced)).toBe(0);
  });
});
