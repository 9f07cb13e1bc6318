import { defineKeyspace, hashSlot, leaseKeyFor } from '@freshen/keys';
import { redisTopologies, uniqueName, useCleanup, waitFor } from '@freshen/test-kit';
import { Cluster, type Redis } from 'ioredis';
import {
  checkTag,
  encodeStoredValue,
  encodeTaggedPayload,
  fillTaggedIfLeased,
} from '@freshen/storage';
import { CacheClient } from '../../src/cache-client.ts';
import { snapshotGenerations } from '../../src/tags/tag-generations.ts';
import { deferred } from '../support/deferred.ts';
import { invalidatorInvalidateTag } from '../support/invalidator-actions.ts';

/**
 * Tags end to end against real Redis, on both topologies: a tagged value is served until its
 * tag is invalidated, a fill whose load began before the invalidation is refused (the race of
 * docs/architecture.md "Tags"), and tag generation keys do not outlive the values.
 */
const cleanup = useCleanup();
const keyspace = defineKeyspace({ prefix: uniqueName('tags') });
const listing = keyspace.kind('category-listing', ['category_id', 'page'] as const);
const productsInCategory = keyspace.tag('products-in-category', ['category_id'] as const);
// Co-located with the listing of the same category: the fill checks the tag atomically.
const colocatedListing = keyspace.kind('listing-colocated', ['category_id', 'page'] as const, {
  hashTag: 'category_id',
});
const colocatedTag = keyspace.tag('category-colocated', ['category_id'] as const, {
  hashTag: 'category_id',
});

let nextCategory = 0;

describe.each(redisTopologies(cleanup))('tags on %s', (name, connect) => {
  // A single server checks every tag inside the fill script; only a cluster has the gap.
  const onCluster = name === 'Redis Cluster' ? it : it.skip;
  let redis: Redis | Cluster;

  beforeAll(() => {
    redis = connect();
    cleanup.add('keys', async () => {
      const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
      for (const server of servers) {
        for (const prefix of [keyspace.base, `{${keyspace.base}`]) {
          // One key per UNLINK: a Cluster refuses keys of several slots in one command.
          for (const key of await server.keys(`${prefix}*`)) await redis.unlink(key);
        }
      }
    });
  });

  it('serves a tagged value from Redis until its tag is invalidated, then loads again', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0, ttlMs: 60_000 });
    const category_id = ++nextCategory;
    const key = listing.key({ category_id, page: 1 });
    const tags = [productsInCategory.tag({ category_id })];
    let loads = 0;
    const loader = async () => ({ products: ['p1'], load: ++loads });

    expect(await cache.read(key, loader, { tags })).toMatchObject({ fill: 'written' });
    expect(await cache.read(key, loader, { tags })).toEqual({
      value: { products: ['p1'], load: 1 },
      source: 'cache',
    });
    // Another tag's invalidation changes nothing.
    await invalidatorInvalidateTag(redis, productsInCategory.key({ category_id: 'other' }));
    expect(await cache.read(key, loader, { tags })).toMatchObject({ source: 'cache' });

    await invalidatorInvalidateTag(redis, tags[0]!.key);
    expect(await cache.read(key, loader, { tags })).toMatchObject({
      source: 'loader',
      value: { load: 2 },
      fill: 'written',
    });
    expect(await cache.read(key, loader, { tags })).toMatchObject({
      source: 'cache',
      value: { load: 2 },
    });
    // Replaying the invalidation (at-least-once delivery) only invalidates again.
    await invalidatorInvalidateTag(redis, tags[0]!.key);
    await invalidatorInvalidateTag(redis, tags[0]!.key);
    expect(await cache.read(key, loader, { tags })).toMatchObject({ value: { load: 3 } });
  });

  it('a value with several tags goes stale when any one of them is invalidated', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
    const [a, b] = [++nextCategory, ++nextCategory];
    const key = listing.key({ category_id: a, page: 2 });
    const tags = [
      productsInCategory.tag({ category_id: a }),
      productsInCategory.tag({ category_id: b }),
    ];
    let loads = 0;
    await cache.read(key, async () => ++loads, { tags });
    await invalidatorInvalidateTag(redis, tags[1]!.key);
    expect(await cache.read(key, async () => ++loads, { tags })).toMatchObject({
      source: 'loader',
      value: 2,
    });
    // A reader naming only one of the tags still checks every tag stored with the value.
    await invalidatorInvalidateTag(redis, tags[1]!.key);
    expect(await cache.read(key, async () => ++loads, { tags: [tags[0]!] })).toMatchObject({
      source: 'loader',
    });
  });

  it('a read that names no tags still checks the tags stored with the value', async () => {
    // A serializer that would accept the tagged form as text, so only the tag check can refuse.
    const text = { serialize: String, deserialize: (stored: string) => stored };
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0, serializer: text });
    const category_id = ++nextCategory;
    const key = listing.key({ category_id, page: 3 });
    const tags = [productsInCategory.tag({ category_id })];
    await cache.read(key, async () => 'tagged', { tags });
    expect(await cache.read(key, async () => 'untagged')).toEqual({
      value: 'tagged',
      source: 'cache',
    });
    await invalidatorInvalidateTag(redis, tags[0]!.key);
    expect(await cache.read(key, async () => 'untagged')).toMatchObject({
      value: 'untagged',
      source: 'loader',
    });
    // An untagged value is not known to be fresh for a tagged reader: a miss, then a tagged fill.
    expect(await cache.read(key, async () => 'tagged again', { tags })).toMatchObject({
      source: 'loader',
      fill: 'written',
    });
  });

  it('warms tagged values that tagged reads then serve', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
    const category_id = ++nextCategory;
    const tags = [productsInCategory.tag({ category_id })];
    const keys = [1, 2].map((page) => listing.key({ category_id, page }));
    const summary = await cache.warm(keys.map((key) => ({ key, load: async () => key, tags })));
    expect(summary).toMatchObject({ filled: 2 });
    for (const key of keys)
      expect(await cache.read(key, async () => 'loaded', { tags })).toEqual({
        value: key,
        source: 'cache',
      });
  });

  /** A misses and loads the old result; the tag is invalidated; A fills. */
  async function replayRace(
    cache: CacheClient,
    key: string,
    tag: ReturnType<typeof productsInCategory.tag>,
  ) {
    const aLoaded = deferred<void>();
    const aMayFill = deferred<void>();
    const readerA = cache.read(
      key,
      async () => {
        aLoaded.resolve();
        await aMayFill.promise;
        return 'old result';
      },
      { tags: [tag] },
    );
    await aLoaded.promise;
    await invalidatorInvalidateTag(redis, tag.key);
    aMayFill.resolve();
    const a = await readerA;
    const next = await cache.read(key, async () => 'new result', { tags: [tag] });
    return { a, next };
  }

  it('refuses a fill whose load began before the tag invalidation (tag in another slot)', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
    const category_id = ++nextCategory;
    const key = listing.key({ category_id, page: 1 });
    const tag = productsInCategory.tag({ category_id });
    if (redis instanceof Cluster) expect(hashSlot(tag.key)).not.toBe(hashSlot(key));

    const { a, next } = await replayRace(cache, key, tag);
    expect(a).toMatchObject({ value: 'old result', fill: 'refused' });
    expect(next).toMatchObject({ source: 'loader', value: 'new result', fill: 'written' });
    expect(await redis.exists(leaseKeyFor(key))).toBe(0); // the refused fill gave its lease back
    expect(await cache.metrics.fillsRefused.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it('refuses the racing fill atomically when tag and key share a slot', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
    const category_id = ++nextCategory;
    const key = colocatedListing.key({ category_id, page: 1 });
    const tag = colocatedTag.tag({ category_id });
    expect(hashSlot(tag.key)).toBe(hashSlot(key));
    const { a, next } = await replayRace(cache, key, tag);
    expect(a.fill).toBe('refused');
    expect(next).toMatchObject({ source: 'loader', value: 'new result' });
  });

  onCluster('an invalidation between the tag check and the fill is caught at read', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
    const category_id = ++nextCategory;
    const key = listing.key({ category_id, page: 1 });
    const tag = productsInCategory.tag({ category_id });
    expect(redis).toBeInstanceOf(Cluster);
    expect(hashSlot(tag.key)).not.toBe(hashSlot(key));
    // The fill's two steps by hand, with the invalidation landing between them.
    const [generation] = await snapshotGenerations(redis, [tag.key], 60_000);
    await redis.set(leaseKeyFor(key), 'token', 'PX', 10_000);
    expect(await checkTag.run(redis, [tag.key], [generation!, 60_000])).toBe(1);
    await invalidatorInvalidateTag(redis, tag.key);
    const stored = encodeStoredValue(
      encodeTaggedPayload('"old result"', [{ key: tag.key, generation: generation! }]),
      1,
      Date.now() + 60_000,
    );
    expect(
      await fillTaggedIfLeased.run(
        redis,
        [key, leaseKeyFor(key)],
        ['token', stored, 60_000, 60_000],
      ),
    ).toBe(1); // written: the fill could not see the other slot
    expect(await cache.read(key, async () => 'new result', { tags: [tag] })).toMatchObject({
      source: 'loader',
      value: 'new result',
      fill: 'written',
    });
  });

  it('without tag fencing (the twin) the racing fill sticks', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0, tagFencing: false });
    const category_id = ++nextCategory;
    const key = listing.key({ category_id, page: 1 });
    const { a, next } = await replayRace(cache, key, productsInCategory.tag({ category_id }));
    expect(a.fill).toBe('written');
    expect(next).toMatchObject({ source: 'cache', value: 'old result' }); // stale
  });

  it('gives a tag generation a TTL covering its values, so it expires with them', async () => {
    const ttlMs = 1_500;
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0, ttlMs, leaseTtlMs: 500 });
    const category_id = ++nextCategory;
    const tag = productsInCategory.tag({ category_id });
    const keys = [1, 2, 3].map((page) => listing.key({ category_id, page }));
    for (const key of keys) await cache.read(key, async () => 'listing', { tags: [tag] });

    const tagTtl = await redis.pttl(tag.key);
    for (const key of keys) expect(tagTtl).toBeGreaterThanOrEqual(await redis.pttl(key));
    expect(tagTtl).toBeLessThanOrEqual(ttlMs + 500);
    // Nothing is left once the values expired: no generation accumulates for dead values.
    const left = async () => {
      let count = 0;
      for (const key of [tag.key, ...keys]) count += await redis.exists(key); // one slot each
      return count;
    };
    await waitFor(async () => (await left()) === 0, { timeoutMs: 5_000 });
  });

  it('an invalidation leaves nothing behind', async () => {
    const cache = new CacheClient(redis, { earlyRefreshBeta: 0 });
    const tag = productsInCategory.tag({ category_id: ++nextCategory });
    await cache.read(listing.key({ category_id: 0, page: 9 }), async () => 1, { tags: [tag] });
    await invalidatorInvalidateTag(redis, tag.key);
    expect(await redis.exists(tag.key)).toBe(0);
  });
});
