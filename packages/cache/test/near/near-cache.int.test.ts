import { defineKeyspace } from '@freshen/keys';
import {
  newRedis,
  redisTopologies,
  startPrivateRedis,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { CacheClient } from '../../src/cache-client.ts';
import type { CacheOptions } from '../../src/cache-options.ts';
import { deferred } from '../support/deferred.ts';
import { invalidatorDelete, invalidatorRefresh } from '../support/invalidator-actions.ts';

const cleanup = useCleanup();
const keyspace = defineKeyspace({ prefix: uniqueName('near') });
const item = keyspace.kind('item', ['id'] as const);
const cold = keyspace.kind('cold', ['id'] as const);
/** The hot kind only: `cold` keys are not kept near. */
const NEAR = { prefixes: [item.pattern().slice(0, -1)], probeIntervalMs: 50 };

const sampleCount = async (
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((sample) =>
      Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    )
    .reduce((sum, sample) => sum + Number(sample.value), 0);
};

/**
 * Reads until the near cache answers. After a fill, Redis's report of that fill's own SET may
 * still be on its way and evict the copy the next Redis hit kept; the one after keeps it.
 */
async function readUntilNear(cache: CacheClient, key: string, value: unknown): Promise<void> {
  await waitFor(
    async () => {
      const read = await cache.read(key, async () => value);
      expect(read.value).toEqual(value);
      return read.source === 'near';
    },
    { timeoutMs: 5_000, description: `a near-cache hit of ${key}` },
  );
}

let next = 0;
const newId = () => ++next;
const version = (n: number) => n.toString(16).padStart(24, '0');

function newCache(redis: Redis | Cluster, options: CacheOptions = {}) {
  const registry = new Registry();
  const cache = new CacheClient(redis, { nearCache: NEAR, registry, ...options });
  cleanup.add('near cache', () => cache.close());
  return { cache, registry };
}

describe.each(redisTopologies(cleanup))('the near cache on %s', (_name, connect) => {
  let redis: Redis | Cluster;
  let writer: Redis | Cluster;

  beforeAll(() => {
    redis = connect();
    writer = connect();
    cleanup.add('keys', async () => {
      const servers = writer instanceof Cluster ? writer.nodes('master') : [writer];
      for (const server of servers) {
        for (const prefix of [keyspace.base, `{${keyspace.base}`]) {
          // One key per UNLINK: a Cluster refuses keys of several slots in one command.
          const keys = await server.keys(`${prefix}*`);
          for (const key of keys) await writer.unlink(key);
        }
      }
    });
  });

  it('answers repeated reads in process and drops a key in every client when Redis changes it', async () => {
    const a = newCache(redis);
    const b = newCache(redis);
    await Promise.all([a.cache.nearCacheReady(), b.cache.nearCacheReady()]);
    // Keys of several ids land on every master of a cluster.
    const keys = Array.from({ length: 12 }, () => item.key({ id: newId() }));
    for (const key of keys) {
      expect(await a.cache.read(key, async () => 'v1')).toMatchObject({ source: 'loader' });
      await readUntilNear(a.cache, key, 'v1');
      await readUntilNear(b.cache, key, 'v1');
    }
    // The invalidator's refresh (its own script, on another connection) changes every key.
    for (const key of keys)
      await invalidatorRefresh(writer as Redis, key, '"v2"', 60_000, version(2));
    for (const { cache } of [a, b]) {
      await waitFor(() => cache.near!.size.entries === 0, { timeoutMs: 5_000 });
      for (const key of keys) {
        expect(await cache.read(key, async () => 'not loaded')).toEqual({
          value: 'v2',
          source: 'cache',
        });
      }
    }
    expect(await sampleCount(a.registry, 'freshen_cache_near_hits_total')).toBe(keys.length);
    expect(
      await sampleCount(a.registry, 'freshen_cache_near_invalidations_total'),
    ).toBeGreaterThanOrEqual(keys.length);
    const masters = writer instanceof Cluster ? writer.nodes('master').length : 1;
    expect(a.cache.nearCacheConnections().size).toBe(masters);
  });

  it('keeps hash fields near per field list, and drops them on delete', async () => {
    const { cache } = newCache(redis);
    await cache.nearCacheReady();
    const key = item.key({ id: newId() });
    const loader = async () => ({ id: 1, name: 'Ada', email: 'ada@example.com' });
    await cache.readFields(key, ['name'], loader);
    await waitFor(async () => (await cache.readFields(key, ['name'], loader)).source === 'near');
    expect(await cache.readFields(key, ['name'], loader)).toEqual({
      value: { name: 'Ada' },
      source: 'near',
    });
    // Another field list is another copy: from Redis the first time.
    expect((await cache.readFields(key, ['email'], loader)).source).toBe('cache');
    await invalidatorDelete(writer as Redis, key);
    await waitFor(() => cache.near!.size.entries === 0, { timeoutMs: 5_000 });
    const gone = async (): Promise<{ name: string } | null> => null;
    expect((await cache.readFields(key, ['name'], gone)).value).toBeNull();
  });

  it('returns a fresh value per near hit, or with shareValues one frozen value', async () => {
    const key = item.key({ id: newId() });
    const loader = async () => ({ name: 'Ada', tags: ['a'] });
    const fresh = newCache(redis);
    const shared = newCache(redis, { nearCache: { ...NEAR, shareValues: true } });
    await Promise.all([fresh.cache.nearCacheReady(), shared.cache.nearCacheReady()]);
    await fresh.cache.read(key, loader);
    for (const { cache } of [fresh, shared]) await readUntilNear(cache, key, await loader());

    const [one, two] = [await fresh.cache.read(key, loader), await fresh.cache.read(key, loader)];
    expect(one.source).toBe('near');
    expect(one.value).not.toBe(two.value);
    one.value.tags.push('changed by one caller');
    expect((await fresh.cache.getOrLoad(key, loader)).tags).toEqual(['a']);

    const first = await shared.cache.read(key, loader);
    expect(first).toMatchObject({ source: 'near', value: { name: 'Ada', tags: ['a'] } });
    expect(await shared.cache.getOrLoad(key, loader)).toBe(first.value);
    expect(Object.isFrozen(first.value.tags)).toBe(true);
    expect(() => first.value.tags.push('b')).toThrow(TypeError);

    await invalidatorRefresh(
      writer as Redis,
      key,
      '{"name":"Grace","tags":[]}',
      60_000,
      version(3),
    );
    await waitFor(() => shared.cache.near!.size.entries === 0, { timeoutMs: 5_000 });
    expect(await shared.cache.getOrLoad(key, loader)).toEqual({ name: 'Grace', tags: [] });
  });

  it('never keeps keys outside its prefixes', async () => {
    const { cache } = newCache(redis);
    await cache.nearCacheReady();
    const key = cold.key({ id: newId() });
    await cache.read(key, async () => 'v');
    expect((await cache.read(key, async () => 'x')).source).toBe('cache');
    expect(cache.near!.size.entries).toBe(0);
  });

  it('flushes when its tracking connection is killed, and serves again once tracking is back', async () => {
    const { cache, registry } = newCache(redis);
    await cache.nearCacheReady();
    const key = item.key({ id: newId() });
    await readUntilNear(cache, key, 'v1');
    const [address, id] = [...cache.nearCacheConnections()][0]!;
    const [host, port] = address.split(':') as [string, string];
    const killer = new Redis({ host, port: Number(port) });
    cleanup.add('killer', () => killer.disconnect());
    await killer.client('KILL', 'ID', String(id));
    await waitFor(
      async () =>
        (await sampleCount(registry, 'freshen_cache_near_flushes_total', {
          reason: 'connection_lost',
        })) === 1,
      { timeoutMs: 5_000 },
    );
    expect(cache.near!.size.entries).toBe(0);
    // A change made while the connection is down must not be missed.
    await invalidatorRefresh(writer as Redis, key, '"v2"', 60_000, version(2));
    await cache.nearCacheReady();
    expect((await cache.read(key, async () => 'x')).value).toBe('v2');
    await readUntilNear(cache, key, 'v2');
  });

  it('with both tiers, a fill that raced an invalidation is kept in neither', async () => {
    const { cache } = newCache(redis, { earlyRefreshBeta: 0 });
    await cache.nearCacheReady();
    const key = item.key({ id: newId() });
    const loaded = deferred<void>();
    const mayFill = deferred<void>();
    const reader = cache.read(key, async () => {
      loaded.resolve();
      await mayFill.promise;
      return 'old';
    });
    await loaded.promise;
    // The committed change is applied while the reader still holds the old row.
    await invalidatorRefresh(writer as Redis, key, '"new"', 60_000, version(5));
    mayFill.resolve();
    expect(await reader).toMatchObject({ value: 'old', fill: 'refused' });
    expect(cache.near!.size.entries).toBe(0);
    expect(await cache.read(key, async () => 'old again')).toEqual({
      value: 'new',
      source: 'cache',
    });
  });

  it('measures its staleness window with a probe', async () => {
    const { cache, registry } = newCache(redis);
    await cache.nearCacheReady();
    await waitFor(
      async () =>
        (await registry.getSingleMetricAsString('freshen_cache_near_staleness_seconds')).includes(
          'freshen_cache_near_staleness_seconds_count',
        ) &&
        !/staleness_seconds_count 0\b/.test(
          await registry.getSingleMetricAsString('freshen_cache_near_staleness_seconds'),
        ),
      { timeoutMs: 5_000 },
    );
  });
});

it('flushes when the server empties its database (null invalidation)', async () => {
  const server = await startPrivateRedis(cleanup);
  const redis = new Redis(server.url);
  cleanup.add('private client', () => redis.disconnect());
  const { cache, registry } = newCache(redis);
  await cache.nearCacheReady();
  const key = item.key({ id: newId() });
  await readUntilNear(cache, key, 'v');
  await redis.flushall();
  await waitFor(() => cache.near!.size.entries === 0, { timeoutMs: 5_000 });
  expect(
    await sampleCount(registry, 'freshen_cache_near_flushes_total', { reason: 'server_flush' }),
  ).toBe(1);
});

it('is off by default and opens no connection', async () => {
  const redis = newRedis(cleanup);
  const cache = new CacheClient(redis);
  expect(cache.near).toBeUndefined();
  expect(cache.nearCacheConnections().size).toBe(0);
  await cache.nearCacheReady();
});
