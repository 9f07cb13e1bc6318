import { defineKeyspace } from '@freshen/keys';
import { deleteKeysWithPrefix, newRedis, uniqueName, useCleanup } from '@freshen/test-kit';
import { CacheClient } from '../../src/cache-client.ts';
import type { WarmEntry, WarmProgress } from '../../src/warming/warm.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const keyspace = defineKeyspace({ prefix: uniqueName('warm') });
const item = keyspace.kind('item', ['id'] as const);
const other = keyspace.kind('other', ['id'] as const);
cleanup.add('cache keys', () => deleteKeysWithPrefix(redis, keyspace.base));

function entries(
  count: number,
  load: (id: number) => Promise<unknown>,
  kind: typeof item | typeof other = item,
): WarmEntry[] {
  return Array.from({ length: count }, (_, id) => ({
    key: kind.key({ id }),
    load: () => load(id),
  }));
}

it('loads every key with at most `concurrency` loaders at once, reporting progress', async () => {
  const cache = new CacheClient(redis);
  let inFlight = 0;
  let maxInFlight = 0;
  let waiting: (() => void)[] = [];
  const progress: WarmProgress[] = [];
  const summary = await cache.warm(
    entries(40, async (id) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      // Loaders finish in batches of four: only four at once can ever meet here.
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 4) {
          for (const release of waiting) release();
          waiting = [];
        }
      });
      inFlight--;
      return { id };
    }),
    { concurrency: 4, onProgress: (p) => progress.push(structuredClone(p)) },
  );
  expect(summary).toEqual({
    filled: 40,
    alreadyCached: 0,
    refused: 0,
    notCached: 0,
    failed: 0,
    errors: [],
  });
  expect(maxInFlight).toBe(4);
  expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(progress.at(-1)?.total).toBe(40);
  expect(await cache.getOrLoad(item.key({ id: 7 }), async () => 'unused')).toEqual({ id: 7 });
});

it('leaves cached keys alone, counts failures and keeps going, and accepts async iterables', async () => {
  const cache = new CacheClient(redis);
  async function* stream() {
    yield* entries(3, async (id) => ({ id })); // warmed by the previous test
    yield { key: item.key({ id: 'boom' }), load: () => Promise.reject(new Error('row locked')) };
    yield { key: item.key({ id: 'new' }), load: async () => 'fresh' };
  }
  const summary = await cache.warm(stream(), { concurrency: 2 });
  expect(summary).toMatchObject({
    filled: 1,
    alreadyCached: 3,
    failed: 1,
    refused: 0,
    notCached: 0,
  });
  expect(summary.errors).toEqual([
    { key: item.key({ id: 'boom' }), error: expect.objectContaining({ code: 'LOADER_FAILED' }) },
  ]);
});

it('stops taking entries when aborted', async () => {
  const cache = new CacheClient(redis);
  const controller = new AbortController();
  let loads = 0;
  const summary = await cache.warm(
    entries(
      100,
      async (id) => {
        if (++loads === 5) controller.abort();
        return { id };
      },
      other,
    ),
    { concurrency: 1, signal: controller.signal },
  );
  expect(loads).toBe(5);
  expect(summary.filled).toBe(5);
});

it('rejects a concurrency that is not a positive integer', async () => {
  await expect(new CacheClient(redis).warm([], { concurrency: 0 })).rejects.toThrow(/concurrency/);
});
