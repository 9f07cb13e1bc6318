import { ensureTopics } from '@freshen/kafka';
import { SECOND } from '@freshen/runtime';
import { newKafkaAdmin, newRedis, uniqueName, useCleanup, waitFor } from '@freshen/test-kit';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_disc');
const { rules, item, schema } = testRules(prefix);
const redis = newRedis(cleanup);

describe('topic prefix subscription', () => {
  it('consumes every <prefix>.* topic, picks up a table topic created later, and never its own DLQ', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topicPrefix = uniqueName('inv_disc_t');
    const first = `${topicPrefix}.${schema}.items`;
    const later = `${topicPrefix}.${schema}.later`;
    const dlqTopic = `${topicPrefix}.dlq`;
    await ensureTopics(admin, [{ topic: first, numPartitions: 2 }]);
    cleanup.add('topics', () =>
      admin.deleteTopics({ topics: [first, later, dlqTopic] }).catch(() => {}),
    );
    const producer = await newProducer(cleanup);
    const keys = [item.key({ id: 1 }), item.key({ id: 2 })];
    await redis.mset(keys[0]!, 'v', keys[1]!, 'v');
    cleanup.add('keys', () => redis.unlink(...keys));

    const invalidator = await startTestInvalidator(cleanup, {
      topics: [],
      dlqTopic,
      rules,
      overrides: { topics: { prefix: topicPrefix }, topicRefreshMs: SECOND },
    });
    await producer.send({
      topic: first,
      messages: [toMessage(itemEvent(schema, 1, {}))],
    });
    await waitFor(async () => (await redis.exists(keys[0]!)) === 0, {
      description: 'first topic consumed',
    });

    // A new table's topic appears after start; its first message must not be lost either.
    await ensureTopics(admin, [{ topic: later, numPartitions: 1 }]);
    await producer.send({
      topic: later,
      messages: [{ ...toMessage(itemEvent(schema, 2, {})) }],
    });
    await waitFor(async () => (await redis.exists(keys[1]!)) === 0, {
      timeoutMs: 30 * SECOND,
      description: 'topic created after start consumed from its beginning',
    });

    // A message in the DLQ is never consumed as a change (it would loop back into the DLQ).
    const before = await metricValue(invalidator.metrics.events);
    await producer.send({ topic: dlqTopic, messages: [{ key: 'x', value: '{bad' }] });
    await producer.send({
      topic: first,
      messages: [toMessage(itemEvent(`${schema}_other`, 3, {}))],
    });
    await waitFor(async () => (await metricValue(invalidator.metrics.events)) === before + 1, {
      description: 'marker consumed',
    });
    expect(await metricValue(invalidator.metrics.deadLetters)).toBe(0);
  });
});
