import { DEAD_LETTER_HEADERS } from '@freshen/kafka';
import {
  committedOffsets,
  newKafkaAdmin,
  newRedis,
  newTopic,
  readMessages,
  uniqueName,
  useCleanup,
  waitFor,
  type ReadMessage,
  type TestProducer,
} from '@freshen/test-kit';
import type { Admin } from '@platformatic/kafka';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { testRules } from '../support/test-rules.ts';
import type { Invalidator } from '../../src/invalidator.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_dlq');
const { rules, item, schema } = testRules(prefix);
const redis = newRedis(cleanup);
const groupId = uniqueName('inv_dlq_group');
let admin: Admin;
let topic: string;
let dlqTopic: string;
let producer: TestProducer;
let invalidator: Invalidator;

beforeAll(async () => {
  admin = await newKafkaAdmin(cleanup);
  topic = await newTopic(cleanup, admin, 'inv_dlq_changes', 1);
  dlqTopic = await newTopic(cleanup, admin, 'inv_dlq_dead', 1);
  producer = await newProducer(cleanup);
  invalidator = await startTestInvalidator(cleanup, { topics: [topic], dlqTopic, rules, groupId });
});

function readDeadLetters(count: number): Promise<ReadMessage[]> {
  return readMessages(cleanup, dlqTopic, count);
}

describe('dead-letter routing', () => {
  it('dead-letters bad JSON, unknown versions and throwing rules with their origin, and keeps the partition flowing', async () => {
    const after = item.key({ id: 99 });
    await redis.set(after, 'cached');
    cleanup.add('key', () => redis.unlink(after));
    const unknownVersion = JSON.stringify({ ...itemEvent(schema, 1, {}), v: 2 });
    await producer.send({
      topic,
      messages: [
        { key: 'bad', value: '{oops' },
        { key: 'v2', value: unknownVersion },
        toMessage(itemEvent(schema, 2, { explode: true })),
        toMessage(itemEvent(schema, 99, {})),
      ],
    });
    await waitFor(async () => (await redis.exists(after)) === 0, {
      description: 'the good change after the bad ones applied',
    });

    const letters = await readDeadLetters(3);
    const header = (message: ReadMessage, name: string) => message.headers[name];
    expect(
      letters.map((message) => [
        header(message, DEAD_LETTER_HEADERS.originOffset),
        header(message, DEAD_LETTER_HEADERS.errorCode),
      ]),
    ).toEqual([
      ['0', 'EVENT_UNDECODABLE'],
      ['1', 'EVENT_UNDECODABLE'],
      ['2', 'RULE_FAILED'],
    ]);
    for (const message of letters) {
      expect(header(message, DEAD_LETTER_HEADERS.originTopic)).toBe(topic);
      expect(header(message, DEAD_LETTER_HEADERS.originPartition)).toBe('0');
    }
    expect(letters[0]!.value?.toString()).toBe('{oops');
    expect(letters[1]!.value?.toString()).toBe(unknownVersion);
    expect(header(letters[1]!, DEAD_LETTER_HEADERS.errorMessage)).toMatch(
      /unknown format version 2/,
    );
    expect(header(letters[2]!, DEAD_LETTER_HEADERS.errorMessage)).toMatch(/explode/);
    expect(await metricValue(invalidator.metrics.deadLetters)).toBe(3);

    // Committed past all four: a restart would not dead-letter them again.
    await waitFor(
      async () => {
        return (await committedOffsets(admin, groupId, topic)).get(0) === 4n;
      },
      { description: 'offset committed past the dead letters' },
    );
  });
});
