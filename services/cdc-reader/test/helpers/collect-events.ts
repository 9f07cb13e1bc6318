import { decodeEvent, type ChangeEvent } from '@freshen/change-event';
import { createKafkaClient, ensureTopics } from '@freshen/kafka';
import type { CloseList } from '@freshen/runtime';
import { uniqueName } from '@freshen/test-kit';
import { quietLogger } from './quiet-logger.ts';

export type ReceivedEvent = ChangeEvent & { partition: number };

/** Creates `topic` if absent and collects its events from the beginning with a fresh consumer group. */
export async function collectEvents(
  cleanup: CloseList,
  brokers: string[],
  topic: string,
  partitions = 3,
): Promise<ReceivedEvent[]> {
  const kafka = createKafkaClient({
    brokers,
    clientId: uniqueName('collect'),
    logger: quietLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, numPartitions: partitions }]);
  await admin.disconnect();
  const events: ReceivedEvent[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('collect'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  cleanup.add(`consumer ${topic}`, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      events.push({ ...decodeEvent(message.value), partition });
    },
  });
  return events;
}
