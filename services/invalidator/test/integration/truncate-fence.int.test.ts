import { CacheClient, type CacheRead } from '@freshen/cache';
import { leaseKeyFor } from '@freshen/keys';
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
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const PARTITIONS = 3;

const topologies = redisTopologies(cleanup);

describe.each(topologies)(
  'TRUNCATE refuses fills that were loading when it was applied, on %s (regression: their leases survived it)',
  (_name, connect) => {
    const prefix = uniqueName('inv_fence');
    const { rules, item, group, schema } = testRules(prefix);
    let redis: Redis | Cluster;
    let invalidator: Invalidator;
    let truncateEveryPartition: () => Promise<unknown>;

    beforeAll(async () => {
      redis = connect();
      cleanup.add('keys', () => removeTestKeys(redis, prefix));
      const admin = await newKafkaAdmin(cleanup);
      const topic = await newTopic(cleanup, admin, 'inv_fence', PARTITIONS);
      const dlqTopic = await newTopic(cleanup, admin, 'inv_fence_dlq', 1);
      const producer = await newProducer(cleanup);
      // As the reader does: one TRUNCATE event on every partition of the table's topic.
      const truncate = toMessage(itemEvent(schema, 0, null, { op: 'truncate', key: {} }));
      truncateEveryPartition = () =>
        producer.send({
          topic,
          messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
            ...truncate,
            partition,
          })),
        });
      invalidator = await startTestInvalidator(cleanup, {
        topics: [topic],
        dlqTopic,
        rules,
        redis:
          redis instanceof Cluster
            ? { clusterNodes: stackSettings().redisClusterNodes }
            : undefined,
      });
    });

    it('refuses all ten held fills of both key kinds once the truncate was applied on every partition', async () => {
      const cache = new CacheClient(redis, { ttlMs: 60_000, leaseTtlMs: 30_000 });
      const keys = [
        ...Array.from({ length: 5 }, (_, id) => item.key({ id })),
        ...Array.from({ length: 5 }, (_, n) => group.key({ name: `g${n}` })),
      ];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const reads: Promise<CacheRead<string>>[] = keys.map((key) =>
        cache.read(key, async () => (await held, 'loaded before the truncate')),
      );
      // Every reader missed and holds its key's lease while "loading".
      await waitFor(
        async () =>
          (await Promise.all(keys.map((k) => redis.exists(leaseKeyFor(k))))).every(Boolean),
        {
          description: 'ten leases taken',
        },
      );

      await truncateEveryPartition();
      await waitFor(async () => (await metricValue(invalidator.metrics.truncates)) === PARTITIONS, {
        description: 'the truncate applied on every partition',
      });

      release();
      const outcomes = (await Promise.all(reads)).map((read) => read.fill);
      expect(outcomes).toEqual(keys.map(() => 'refused'));
      expect(await Promise.all(keys.map((key) => redis.exists(key)))).toEqual(keys.map(() => 0));
    });
  },
);
