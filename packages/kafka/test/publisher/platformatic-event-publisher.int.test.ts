import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  newKafka,
  newKafkaAdmin,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import type { PartitionMetadata } from 'kafkajs';
import type { OutgoingMessage } from '../../src/publisher/event-publisher.ts';
import { murmur2Partitioner } from '../../src/publisher/murmur2-partitioner.ts';
import type { ProbeInput, ProbeOutput } from '../helpers/platformatic-probe.ts';

const PROBE = path.join(__dirname, '../helpers/platformatic-probe.ts');
const cleanup = useCleanup();

/** Runs the publisher in its own Node process (the client is ESM-only; see the probe). */
async function probe(input: ProbeInput): Promise<ProbeOutput> {
  const { stdout } = await promisify(execFile)(process.execPath, [PROBE, JSON.stringify(input)], {
    timeout: 40_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ProbeOutput;
}

/** Where the kafkajs publisher puts `key`: the placement this publisher must equal. */
function kafkajsPartition(key: string, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId): PartitionMetadata => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return murmur2Partitioner()({ topic: 't', partitionMetadata, message: { key, value: null } });
}

describe('PlatformaticEventPublisher', () => {
  it('creates the topic, keeps each key on its kafkajs partition in order, honours explicit partitions', async () => {
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

    const result = await probe({
      brokers: stackSettings().kafkaBrokers,
      topic,
      partitions,
      batches,
    });
    expect(result).toEqual({ ok: true, partitionCounts: [partitions, partitions] });

    const seen: { key: string; value: string; partition: number }[] = [];
    const consumer = newKafka().consumer({ groupId: uniqueName('platformatic-check') });
    cleanup.add('consumer', () => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ key: message.key!.toString(), value: message.value!.toString(), partition });
      },
    });
    const expected = keys.length * 3 + partitions;
    await waitFor(() => seen.length >= expected, { description: `${expected} messages` });
    expect(seen).toHaveLength(expected);

    for (const key of keys) {
      const mine = seen.filter((message) => message.key === key);
      expect(mine.map((message) => message.value)).toEqual([0, 1, 2].map((r) => `${key}#${r}`));
      for (const message of mine) expect(message.partition).toBe(kafkajsPartition(key, partitions));
    }
    const barriers = seen.filter((message) => message.key === 'barrier');
    expect(barriers.map((m) => m.value).sort()).toEqual(
      Array.from({ length: partitions }, (_, p) => `barrier@${p}`),
    );
    for (const barrier of barriers) expect(barrier.value).toBe(`barrier@${barrier.partition}`);
  });

  it('reports unreachable brokers as retryable KAFKA_UNAVAILABLE', async () => {
    const result = await probe({
      brokers: ['127.0.0.1:1'],
      topic: uniqueName('never'),
      partitions: 1,
      batches: [],
    });
    expect(result).toMatchObject({ ok: false, code: 'KAFKA_UNAVAILABLE', retryable: true });
    if (!result.ok) expect(result.message).toMatch(/KAFKA_BROKERS/);
  });
});
