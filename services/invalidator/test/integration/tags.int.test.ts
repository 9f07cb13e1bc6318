import { CacheClient } from '@freshen/cache';
import { defineKeyspace, hashSlot } from '@freshen/keys';
import { defineRules, invalidate, invalidateTag, tableRule } from '@freshen/rules';
import {
  newKafkaAdmin,
  newTopic,
  redisTopologies,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { Cluster, type Redis } from 'ioredis';
import type { Invalidator } from '../../src/invalidator.ts';
import { removeTestKeys } from '../support/test-keys.ts';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';

const cleanup = useCleanup();

/**
 * invalidateTag through the whole invalidator (Kafka, plan, applier) against a CacheClient's
 * tagged reads: a change invalidates the tags of its old and new row, a TRUNCATE every tag of
 * the kinds its table produces, and a fill that was loading meanwhile is refused.
 */
describe.each(redisTopologies(cleanup))('tag invalidation on %s', (_name, connect) => {
  const prefix = uniqueName('inv_tags');
  const space = defineKeyspace({ prefix });
  const item = space.kind('item', ['id'] as const);
  const listing = space.kind('listing', ['category_id'] as const);
  const inCategory = space.tag('items-in-category', ['category_id'] as const);
  const schema = 'app';
  const rules = defineRules(
    tableRule(`${schema}.items`, {
      reads: ['id', 'category_id'],
      readsOld: ['id', 'category_id'],
      produces: [item, inCategory],
      *keys({ new: row, old }) {
        const id = (row ?? old)!.id;
        yield invalidate(item, { id });
        if (old) yield invalidateTag(inCategory, { category_id: old.category_id });
        if (row) yield invalidateTag(inCategory, { category_id: row.category_id });
      },
    }),
  );
  let redis: Redis | Cluster;
  let invalidator: Invalidator;
  let cache: CacheClient;
  let send: (...events: ReturnType<typeof itemEvent>[]) => Promise<unknown>;

  beforeAll(async () => {
    redis = connect();
    cleanup.add('keys', () => removeTestKeys(redis, prefix));
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_tags', 1);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_tags_dlq', 1);
    const producer = await newProducer(cleanup);
    send = (...events) => producer.send({ topic, messages: events.map(toMessage) });
    invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      redis:
        redis instanceof Cluster ? { clusterNodes: stackSettings().redisClusterNodes } : undefined,
    });
    cache = new CacheClient(redis, { earlyRefreshBeta: 0, ttlMs: 60_000 });
  });

  /** The cached listing of a category, tagged with the category. */
  const readListing = (category_id: number, load: () => Promise<string>) =>
    cache.read(listing.key({ category_id }), load, {
      tags: [inCategory.tag({ category_id })],
    });

  const tagInvalidations = () => metricValue(invalidator.metrics.tagInvalidations);

  it('a row moving between categories invalidates the listings of both, and only those', async () => {
    for (const category_id of [1, 2, 3]) await readListing(category_id, async () => 'v1');
    if (redis instanceof Cluster) {
      // The tags live on other slots than the listings they stale.
      expect(hashSlot(inCategory.key({ category_id: 1 }))).not.toBe(
        hashSlot(listing.key({ category_id: 1 })),
      );
    }
    const before = await tagInvalidations();
    await send(itemEvent(schema, 10, { category_id: 2 }, { old: { id: 10, category_id: 1 } }));
    await waitFor(async () => (await tagInvalidations()) === before + 2, {
      description: 'two tags invalidated',
    });
    expect(await readListing(1, async () => 'v2')).toMatchObject({ source: 'loader', value: 'v2' });
    expect(await readListing(2, async () => 'v2')).toMatchObject({ source: 'loader', value: 'v2' });
    expect(await readListing(3, async () => 'v2')).toMatchObject({ source: 'cache', value: 'v1' });
  });

  it('refuses a fill that was loading when the invalidation was applied', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let loading!: () => void;
    const started = new Promise<void>((resolve) => (loading = resolve));
    const racing = readListing(4, async () => {
      loading();
      await held;
      return 'loaded before the change';
    });
    await started;
    const before = await tagInvalidations();
    await send(itemEvent(schema, 11, { category_id: 4 }, { op: 'insert' }));
    await waitFor(async () => (await tagInvalidations()) === before + 1, {
      description: 'tag invalidated',
    });
    release();
    expect(await racing).toMatchObject({ fill: 'refused' });
    expect(await readListing(4, async () => 'after')).toMatchObject({
      source: 'loader',
      value: 'after',
    });
  });

  it('TRUNCATE invalidates every tag of the kinds the table produces', async () => {
    for (const category_id of [5, 6]) await readListing(category_id, async () => 'v1');
    const truncatesBefore = await metricValue(invalidator.metrics.truncates);
    await send(itemEvent(schema, 0, null, { op: 'truncate', key: {} }));
    await waitFor(
      async () => (await metricValue(invalidator.metrics.truncates)) === truncatesBefore + 1,
      { description: 'truncate applied' },
    );
    for (const category_id of [5, 6])
      expect(await readListing(category_id, async () => 'v2')).toMatchObject({ source: 'loader' });
  });
});
