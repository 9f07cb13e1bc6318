import { DEAD_LETTER_HEADERS, ensureTopics, type DeadLetterReference } from '@freshen/kafka';
import {
  committedOffsets,
  newKafkaAdmin,
  newRedis,
  newTopic,
  readMessages,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { ConfigResourceTypes } from '@platformatic/kafka';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { captureLogger, getOps } from '../support/log-capture.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_big');
const { rules, item, schema } = testRules(prefix);
const redis = newRedis(cleanup);

describe('a message too large for the dead-letter topic', () => {
  it('regression: a 5 MB undecodable message crash-looped the invalidator; now it is dead-lettered as a reference and the next event applies', async () => {
    const admin = await newKafkaAdmin(cleanup);
    // The change topic allows 8 MB messages; the DLQ keeps the broker's default (1 MB).
    const topic = uniqueName('inv_big_changes');
    await ensureTopics(admin, [
      { topic, numPartitions: 1, configEntries: { 'max.message.bytes': String(8 * 1024 * 1024) } },
    ]);
    cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
    const dlqTopic = await newTopic(cleanup, admin, 'inv_big_dlq', 1);
    const groupId = uniqueName('inv_big_group');
    const after = item.key({ id: 7 });
    await redis.set(after, 'cached');
    cleanup.add('key', () => redis.unlink(after));

    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      groupId,
    });
    let settled = false;
    void invalidator.done.then(
      () => (settled = true),
      () => (settled = true),
    );

    const producer = await newProducer(cleanup);
    const big = `{"not json at all: ${'x'.repeat(5 * 1024 * 1024)}`;
    await producer.send({
      topic,
      messages: [{ key: 'big', value: big }, toMessage(itemEvent(schema, 7, {}))],
    });

    await waitFor(async () => (await redis.exists(after)) === 0, {
      timeoutMs: 20_000,
      description: 'the event after the 5 MB message applied',
    });

    const letters = await readMessages(cleanup, dlqTopic, 1);

    const letter = letters[0]!;
    const header = (name: string) => letter.headers[name];
    expect(header(DEAD_LETTER_HEADERS.reference)).toBe('true');
    expect(header(DEAD_LETTER_HEADERS.originTopic)).toBe(topic);
    expect(header(DEAD_LETTER_HEADERS.originPartition)).toBe('0');
    expect(header(DEAD_LETTER_HEADERS.originOffset)).toBe('0');
    expect(header(DEAD_LETTER_HEADERS.errorCode)).toBe('EVENT_UNDECODABLE');
    const reference = JSON.parse(letter.value!.toString()) as DeadLetterReference;
    expect(reference.reference).toMatchObject({
      topic,
      partition: 0,
      offset: '0',
      size: big.length + 'big'.length,
      errorCode: 'EVENT_UNDECODABLE',
    });
    expect(reference.reference.deadLetterError).toMatch(/larger|too large|size/i);
    expect(reference.prefix).toBe(big.slice(0, 512));
    expect(await metricValue(invalidator.metrics.deadLetterReferences)).toBe(1);

    // Committed past both, still consuming, never gave up.
    await waitFor(
      async () => {
        return (await committedOffsets(admin, groupId, topic)).get(0) === 2n;
      },
      { description: 'offset committed past the big message' },
    );
    expect(settled).toBe(false);
  });

  it('holds the partition (/readyz 503, one error line, nothing committed) while even the reference is refused, and goes on once the DLQ takes it', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_big_held', 1);
    // A DLQ that refuses anything but tiny messages: no reference fits.
    const dlqTopic = uniqueName('inv_big_tiny_dlq');
    await ensureTopics(admin, [
      { topic: dlqTopic, numPartitions: 1, configEntries: { 'max.message.bytes': '200' } },
    ]);
    cleanup.add(`delete topic ${dlqTopic}`, () => admin.deleteTopics({ topics: [dlqTopic] }));
    const groupId = uniqueName('inv_big_held_group');
    const after = item.key({ id: 8 });
    await redis.set(after, 'cached');
    cleanup.add('key', () => redis.unlink(after));
    const { logger, lines } = captureLogger();
    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      groupId,
      overrides: { logger },
    });

    const producer = await newProducer(cleanup);
    await producer.send({
      topic,
      messages: [
        { key: 'bad', value: `{oops ${'y'.repeat(4000)}` },
        toMessage(itemEvent(schema, 8, {})),
      ],
    });
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 503, {
      description: '/readyz 503 while the partition is held',
    });
    const { body } = await getOps(invalidator.opsPort, '/readyz');
    expect(String(body.details?.dead_letter)).toMatch(/refused even a reference.*held at offset 0/);
    expect(
      lines.filter((line) => line.level === 50 && /refused even a reference/.test(line.msg)),
    ).toHaveLength(1);
    expect(await redis.exists(after)).toBe(1); // held: the next event waits, in order
    expect((await committedOffsets(admin, groupId, topic)).get(0) ?? -1n).toBe(-1n);

    await admin.alterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: dlqTopic,
          configs: [{ name: 'max.message.bytes', value: '1048588' }],
        },
      ],
    });
    await waitFor(async () => (await redis.exists(after)) === 0, {
      timeoutMs: 20_000,
      description: 'the next event applied once the DLQ takes the reference',
    });
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 200, {
      description: '/readyz 200 again',
    });
  });
});
