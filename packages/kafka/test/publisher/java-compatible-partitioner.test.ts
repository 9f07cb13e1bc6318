import fc from 'fast-check';
import type { PartitionMetadata } from 'kafkajs';
import { murmur2Partitioner } from '../../src/publisher/murmur2-partitioner.ts';
import { javaCompatiblePartition } from '../../src/publisher/java-compatible-partitioner.ts';

/** The kafkajs publisher's placement of `key` among `count` partitions. */
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

/** What @platformatic/kafka does with a partitioner's answer before sending. */
function platformaticPartition(key: string, count: number): number {
  return javaCompatiblePartition({ topic: 't', key, value: '' }) % count;
}

describe('javaCompatiblePartition', () => {
  it('puts every key on the partition the kafkajs publisher (and the Java client) uses', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.integer({ min: 1, max: 1000 }),
        (key, count) => platformaticPartition(key, count) === kafkajsPartition(key, count),
      ),
      { numRuns: 3000 },
    );
  });

  it('sends a keyless message to partition 0', () => {
    expect(javaCompatiblePartition({ topic: 't', value: '' })).toBe(0);
  });
});
