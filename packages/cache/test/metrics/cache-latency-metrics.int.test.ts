import { defineKeyspace } from '@freshen/keys';
import { deleteKeysWithPrefix, newRedis, uniqueName, useCleanup } from '@freshen/test-kit';
import { Registry } from 'prom-client';
import { CacheClient } from '../../src/cache-client.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const keyspace = defineKeyspace({ prefix: uniqueName('latency') });
const thing = keyspace.kind('thing', ['id'] as const);
cleanup.add('cache keys', () => deleteKeysWithPrefix(redis, keyspace.base));

/** Observations and sum of a histogram's series with `labels`. */
async function observed(
  histogram: {
    get(): Promise<{ values: { metricName?: string; labels: object; value: number }[] }>;
  },
  labels: Record<string, string> = {},
) {
  const { values } = await histogram.get();
  const matches = (entry: { labels: object }) =>
    Object.entries(labels).every(
      ([name, value]) => (entry.labels as Record<string, unknown>)[name] === value,
    );
  const series = values.filter(matches);
  return {
    count: series.find((entry) => entry.metricName?.endsWith('_count'))?.value ?? 0,
    sum: series.find((entry) => entry.metricName?.endsWith('_sum'))?.value ?? 0,
  };
}

describe('cache latency histograms', () => {
  it('time reads by source, including the load, and fills apart from the load', async () => {
    const registry = new Registry();
    const cache = new CacheClient(redis, { registry });
    const { readDuration, fillDuration } = cache.latency;
    const key = thing.key({ id: 1 });
    const slowLoad = 50; // ms: a miss must take at least this long, and the fill none of it
    await cache.getOrLoad(
      key,
      () => new Promise((resolve) => setTimeout(() => resolve('v'), slowLoad)),
    );
    await cache.getOrLoad(key, () => Promise.reject(new Error('a hit must not load')));

    const loaded = await observed(readDuration, { source: 'loader' });
    const hit = await observed(readDuration, { source: 'cache' });
    const fill = await observed(fillDuration);
    expect(loaded.count).toBe(1);
    expect(loaded.sum).toBeGreaterThanOrEqual((slowLoad - 5) / 1000);
    expect(hit.count).toBe(1);
    expect(hit.sum).toBeLessThan(loaded.sum);
    expect(fill.count).toBe(1);
    expect(fill.sum).toBeLessThan(slowLoad / 1000);

    const text = await registry.metrics();
    expect(text).toContain(
      'freshen_cache_read_duration_seconds_bucket{le="0.0001",source="cache"}',
    );
    expect(text).toContain('freshen_cache_fill_duration_seconds_count 1');
  });

  it('count a read whose loader fails as a loader read', async () => {
    const cache = new CacheClient(redis, { registry: new Registry() });
    await expect(
      cache.getOrLoad(thing.key({ id: 2 }), () => Promise.reject(new Error('database down'))),
    ).rejects.toThrow('database down');
    expect((await observed(cache.latency.readDuration, { source: 'loader' })).count).toBe(1);
    expect((await observed(cache.latency.fillDuration)).count).toBe(0);
  });
});
