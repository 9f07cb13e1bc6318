import { createLogger, FreshenError } from '@freshen/runtime';
import {
  kafkaConnection,
  newKafkaAdmin,
  readMessages,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import type { OutgoingMessage } from '../../src/publisher/event-publisher.ts';
import { murmur2 } from '../../src/publisher/murmur2.ts';
import type { EventPublisher } from '../../src/publisher/event-publisher.ts';
import { PlatformaticEventPublisher } from '../../src/publisher/platformatic-event-publisher.ts';
import { ThreadEventPublisher } from '../../src/publisher/thread-event-publisher.ts';

const cleanup = useCleanup();

type Where = 'on this thread' | 'on a worker thread';

function newPublisher(where: Where, brokers?: string[], partitions = 1): EventPublisher {
  const options = {
    connection: kafkaConnection(brokers, uniqueName('publisher')),
    logger: createLogger('publisher-test', { level: 'silent' }),
    partitions,
  };
  const publisher =
    where === 'on this thread'
      ? new PlatformaticEventPublisher(options)
      : new ThreadEventPublisher({ ...options, logName: 'publisher-test' });
  cleanup.add('publisher', () => publisher.close());
  return publisher;
}

/** Where the Java client puts `key` among `count` partitions: the placement this publisher must equal. */
const javaPartition = (key: string, count: number) => (murmur2(key) & 0x7fffffff) % count;

// One contract, two places to run it: the reader runs the producer on a worker thread by
// default (PUBLISH_THREAD), and order, placement and error codes must not depend on that.
describe.each<Where>(['on this thread', 'on a worker thread'])(
  'the event publisher %s',
  (where) => {
    it("creates the topic, keeps each key on the Java client's partition in order, honours explicit partitions", async () => {
      const admin = await newKafkaAdmin(cleanup);
      const topic = uniqueName('platformatic');
      cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
      const partitions = 5;
      const keys = Array.from({ length: 40 }, (_, i) => `public.users:${i}`).concat('ünïcødé:ключ');
      // Three batches, each with every key once (as a string or as bytes), so order per key
      // spans batches; plus a barrier-like message written to every partition.
      const batches: OutgoingMessage[][] = [0, 1, 2].map((round) =>
        keys.map((key) => ({
          topic,
          key,
          value: round === 1 ? Buffer.from(`${key}#${round}`) : `${key}#${round}`,
        })),
      );
      batches[2]!.push(
        ...Array.from({ length: partitions }, (_, partition) => ({
          topic,
          key: 'barrier',
          value: `barrier@${partition}`,
          partition,
        })),
      );

      const publisher = newPublisher(where, undefined, partitions);
      await publisher.connect();
      // Twice: the second answer comes from the cache and must agree.
      expect([await publisher.prepareTopic(topic), await publisher.prepareTopic(topic)]).toEqual([
        partitions,
        partitions,
      ]);
      for (const batch of batches) await publisher.publish(batch);
      await publisher.close();
      await publisher.close(); // idempotent

      const expected = keys.length * 3 + partitions;
      const seen = (await readMessages(cleanup, topic, expected)).map((message) => ({
        key: message.key!.toString(),
        value: message.value!.toString(),
        partition: message.partition,
      }));
      expect(seen).toHaveLength(expected);

      for (const key of keys) {
        const mine = seen.filter((message) => message.key === key);
        expect(mine.map((message) => message.value)).toEqual([0, 1, 2].map((r) => `${key}#${r}`));
        for (const message of mine) expect(message.partition).toBe(javaPartition(key, partitions));
      }
      const barriers = seen.filter((message) => message.key === 'barrier');
      expect(barriers.map((m) => m.value).sort()).toEqual(
        Array.from({ length: partitions }, (_, p) => `barrier@${p}`),
      );
      for (const barrier of barriers) expect(barrier.value).toBe(`barrier@${barrier.partition}`);
    });

    it('reports unreachable brokers as retryable KAFKA_UNAVAILABLE', async () => {
      const error = await newPublisher(where, ['127.0.0.1:1'])
        .connect()
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );
      expect(error).toBeInstanceOf(FreshenError);
      expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retryable: true });
      expect((error as Error).message).toMatch(/KAFKA_BROKERS/);
    });
  },
);

describe('ThreadEventPublisher', () => {
  it('rejects outstanding and later calls with KAFKA_REJECTED when its thread dies', async () => {
    const publisher = newPublisher('on a worker thread') as ThreadEventPublisher;
    await publisher.connect();
    const topic = uniqueName('thread-death');
    const admin = await newKafkaAdmin(cleanup);
    cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
    await publisher.prepareTopic(topic);
    // The thread ending under a publish in flight stands for a crash of the worker.
    const worker = (publisher as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const inFlight = publisher.publish([{ topic, key: 'k', value: 'v' }]);
    await worker.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'KAFKA_REJECTED' });
    await expect(publisher.publish([{ topic, key: 'k', value: 'v' }])).rejects.toMatchObject({
      code: 'KAFKA_REJECTED',
      message: expect.stringMatching(/publishing thread exited.*read again from the slot/),
    });
  });
});
