import {
  topicEnds,
  committedOffsets,
  newKafkaAdmin,
  newRedis,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_rebal');
const { rules, item, schema } = testRules(prefix);
const redis = newRedis(cleanup);

describe('rebalance between two instances', () => {
  it('shares partitions, and when one leaves the other takes them all without losing a change', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_rebal_changes', 6);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_rebal_dlq', 1);
    const groupId = uniqueName('inv_rebal_group');
    const producer = await newProducer(cleanup);
    cleanup.add('keys', async () => {
      const keys = Array.from({ length: 2000 }, (_, id) => item.key({ id }));
      for (let start = 0; start < keys.length; start += 500)
        await redis.unlink(...keys.slice(start, start + 500));
    });
    const first = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      groupId,
    });
    const second = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      groupId,
    });

    let produced = 0;
    const produce = async (count: number) => {
      const ids = Array.from({ length: count }, () => produced++);
      await producer.send({
        topic,
        messages: ids.map((id) => toMessage(itemEvent(schema, id, { mode: 'refresh', id }))),
      });
    };
    const allPresent = async () => {
      let present = 0;
      for (let start = 0; start < produced; start += 500) {
        const keys = Array.from({ length: Math.min(500, produced - start) }, (_, n) =>
          item.key({ id: start + n }),
        );
        present += await redis.exists(...keys);
      }
      return present === produced;
    };

    // Both instances consume once the group has settled on two members.
    await waitFor(
      async () => {
        await produce(30);
        return (
          (await metricValue(first.metrics.events)) > 0 &&
          (await metricValue(second.metrics.events)) > 0
        );
      },
      { intervalMs: 200, description: 'both instances consuming' },
    );
    await waitFor(allPresent, { description: 'changes applied by both' });

    // Load continues while the second instance leaves (finishing and committing in flight).
    const firstBefore = await metricValue(first.metrics.events);
    let stop = false;
    const load = (async () => {
      while (!stop) await produce(25);
    })();
    await second.close();
    await waitFor(async () => (await metricValue(first.metrics.events)) >= firstBefore + 600, {
      timeoutMs: 40_000,
      description: 'the remaining instance took over',
    });
    stop = true;
    await load;
    await waitFor(allPresent, {
      timeoutMs: 30_000,
      description: `all ${produced} changes applied`,
    });

    // Every partition committed up to its end: nothing left behind for a later instance.
    const ends = await topicEnds(admin, topic);
    await waitFor(
      async () => {
        const committed = await committedOffsets(admin, groupId, topic);
        return [...ends].every(([partition, end]) => committed.get(partition) === end);
      },
      { description: 'all partitions committed to their end' },
    );
  });
});
