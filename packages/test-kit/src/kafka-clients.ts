import { Consumer, type Admin, Producer, type MessageToProduce } from '@platformatic/kafka';
import {
  createKafkaAdmin,
  ensureTopics,
  kafkaClientOptions,
  type KafkaConnection,
} from '@freshen/kafka';
import { waitFor, type CloseList } from '@freshen/runtime';
import { stackSettings } from './stack.ts';
import { uniqueName } from './unique-name.ts';

/** How tests reach the stack's broker (or, given brokers, a private one). */
export function kafkaConnection(
  brokers: readonly string[] = stackSettings().kafkaBrokers,
  clientId = uniqueName('test'),
): KafkaConnection {
  return { brokers, clientId };
}

/** A Kafka admin client, closed by `cleanup`. */
export async function newKafkaAdmin(
  cleanup: CloseList,
  connection: KafkaConnection = kafkaConnection(),
): Promise<Admin> {
  const admin = createKafkaAdmin(connection);
  cleanup.add('kafka admin', () => admin.close());
  return admin;
}

/** Creates a topic with a unique name, deleted by `cleanup`. */
export async function newTopic(
  cleanup: CloseList,
  admin: Admin,
  prefix = 'test',
  numPartitions = 1,
  configEntries?: Record<string, string>,
): Promise<string> {
  const topic = uniqueName(prefix);
  await ensureTopics(admin, [{ topic, numPartitions, configEntries }]);
  cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
  return topic;
}

/** A message a test writes: text or bytes; a null value is a tombstone. */
export interface TestMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  partition?: number;
  headers?: Record<string, string>;
}

export interface TestProducer {
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(request: { topic: string; messages: readonly TestMessage[] }): Promise<void>;
}

const bytes = (data: string | Buffer | null | undefined) =>
  data === null || data === undefined
    ? undefined
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);

/** An idempotent producer (acks from all in-sync replicas), closed by `cleanup`. */
export async function newTestProducer(
  cleanup: CloseList,
  connection: KafkaConnection = kafkaConnection(),
): Promise<TestProducer> {
  const producer = new Producer<Buffer, Buffer, string, string>({
    ...kafkaClientOptions(connection),
    idempotent: true,
    serializers: {
      key: (key) => key,
      value: (value) => value,
      headerKey: (key) => bytes(key),
      headerValue: (value) => bytes(value),
    },
  });
  cleanup.add('kafka producer', () => producer.close());
  return {
    async send({ topic, messages }) {
      const batch: MessageToProduce<Buffer, Buffer, string, string>[] = messages.map((message) => ({
        topic,
        key: bytes(message.key),
        value: bytes(message.value),
        ...(message.partition === undefined ? {} : { partition: message.partition }),
        ...(message.headers ? { headers: message.headers } : {}),
      }));
      await producer.send({ messages: batch });
    },
  };
}

/** A message as a test reads it back. */
export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads `topic` from its start (in a group of its own) until `count` messages arrived; fails at
 * the deadline of waitFor.
 */
export async function readMessages(
  cleanup: CloseList,
  topic: string,
  count: number,
  connection: KafkaConnection = kafkaConnection(),
): Promise<ReadMessage[]> {
  const consumer = new Consumer({
    ...kafkaClientOptions(connection),
    groupId: uniqueName('test_reader'),
    maxWaitTime: 100,
  });
  cleanup.add('kafka reader', () => consumer.close(true));
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  const seen: ReadMessage[] = [];
  stream.on('data', (message) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of message.headers) headers[name.toString()] = value.toString();
    seen.push({
      partition: message.partition,
      offset: message.offset.toString(),
      key: message.key ?? null,
      value: message.value ?? null,
      headers,
    });
  });
  await waitFor(() => seen.length >= count, { description: `${count} messages in ${topic}` });
  await stream.close();
  return seen;
}
