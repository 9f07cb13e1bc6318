import { Consumer } from '@platformatic/kafka';
import { decodeEvent, type ChangeEvent } from '@freshen/change-event';
import { createKafkaAdmin, ensureTopics, kafkaClientOptions } from '@freshen/kafka';
import type { CloseList } from '@freshen/runtime';
import { uniqueName } from '@freshen/test-kit';

export type ReceivedEvent = ChangeEvent & { partition: number };

/** Creates `topic` if absent and collects its events from the beginning with a fresh consumer group. */
export async function collectEvents(
  cleanup: CloseList,
  brokers: string[],
  topic: string,
  partitions = 3,
): Promise<ReceivedEvent[]> {
  const connection = { brokers, clientId: uniqueName('collect') };
  const admin = createKafkaAdmin(connection);
  try {
    await ensureTopics(admin, [{ topic, numPartitions: partitions }]);
  } finally {
    await admin.close();
  }
  const events: ReceivedEvent[] = [];
  const consumer = new Consumer({
    ...kafkaClientOptions(connection),
    groupId: uniqueName('collect'),
    maxWaitTime: 100,
    // Fault tests kill and restart the broker under it: retry until it is back, as the
    // invalidator's consumer does, instead of failing the stream after the default 3 tries.
    retries: Number.MAX_SAFE_INTEGER,
    retryDelay: 250,
  });
  cleanup.add(`consumer ${topic}`, () => consumer.close(true));
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  stream.on('data', (message) => {
    events.push({ ...decodeEvent(message.value), partition: message.partition });
  });
  return events;
}
