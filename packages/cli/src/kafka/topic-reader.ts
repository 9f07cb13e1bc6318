// The plain consumer behind `freshen tail` and `freshen dlq`, on @platformatic/kafka: reads
// topics from their start or their end, never committing. The group it joins is its own
// (random, deleted on close), so it never takes partitions from the invalidators.
import { randomBytes } from 'node:crypto';
import { Consumer, type MessagesStream } from '@platformatic/kafka';
import { createKafkaAdmin, kafkaClientOptions, type KafkaConnection } from '@freshen/kafka';
import { SECOND } from '@freshen/runtime';
import { kafkaUnavailable } from './kafka-admin.ts';

/** A message as the commands see it: bytes in, text headers. */
export interface ReadMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Map<string, string>;
  /** Kafka timestamp, ms. */
  timestamp: number;
}

export interface TopicReaderOptions {
  connection: KafkaConnection;
  topics: readonly string[];
  /** 'earliest' reads what the topics hold; 'latest' only what arrives from now. */
  from: 'earliest' | 'latest';
  /** Stop once every partition reached this offset (its end when the read began). */
  until?: Map<string, Map<number, bigint>>;
  signal: AbortSignal;
}

/** Yields the topics' messages in offset order per partition until `until` or the signal. */
export async function* readTopics(options: TopicReaderOptions): AsyncGenerator<ReadMessage> {
  const remaining = new Map<string, bigint>();
  for (const [topic, ends] of options.until ?? [])
    for (const [partition, end] of ends) if (end > 0n) remaining.set(`${topic}/${partition}`, end);
  if (options.until && remaining.size === 0) return;

  const groupId = `freshen-cli-${randomBytes(6).toString('hex')}`;
  const consumer = new Consumer({
    ...kafkaClientOptions(options.connection),
    groupId,
    timeout: 5 * SECOND,
    retries: 1,
    autocommit: false,
    maxWaitTime: 500,
  });
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  const onAbort = () => void stream?.close();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      stream = await consumer.consume({
        topics: [...options.topics],
        mode: options.from,
        autocommit: false,
      });
    } catch (error) {
      throw kafkaUnavailable(options.connection, error);
    }
    if (options.signal.aborted) return;
    for await (const message of stream) {
      const id = `${message.topic}/${message.partition}`;
      const end = remaining.get(id);
      if (options.until && end === undefined) continue; // this partition is done
      yield {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        headers: new Map(
          [...message.headers].map(([name, value]) => [name.toString(), value.toString()]),
        ),
        timestamp: Number(message.timestamp),
      };
      if (end !== undefined && message.offset + 1n >= end) {
        remaining.delete(id);
        if (remaining.size === 0) return;
      }
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await stream?.close().catch(() => {});
    // force: leave the group at once rather than after the session timeout.
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    await deleteGroup(options.connection, groupId);
  }
}

/** Removes the reader's own group, so no trace of a read is left on the cluster. */
async function deleteGroup(connection: KafkaConnection, groupId: string): Promise<void> {
  const admin = createKafkaAdmin(connection, { retries: 1 });
  await admin.deleteGroups({ groups: [groupId] }).catch(() => {});
  await admin.close().catch(() => {});
}
