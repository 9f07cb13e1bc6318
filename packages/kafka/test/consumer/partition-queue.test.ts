import type { ConsumedMessage } from '../../src/consumer/change-consumer.ts';
import { PartitionQueue } from '../../src/consumer/partition-queue.ts';

const message = (offset: number): ConsumedMessage => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: null,
  value: Buffer.from(`v${offset}`),
  timestamp: 0,
});

function accept(queue: PartitionQueue, ...offsets: number[]): number {
  let change = 0;
  for (const offset of offsets)
    change += queue.accept({ offset: BigInt(offset), leaderEpoch: 3 }, message(offset));
  return change;
}

describe('PartitionQueue', () => {
  it('hands out messages in order, batch by batch, with the offset to commit after each', () => {
    const queue = new PartitionQueue('t', 0);
    expect(accept(queue, 10, 11, 12)).toBe(3);
    const first = queue.take(2);
    expect(first.messages.map((m) => m.offset)).toEqual(['10', '11']);
    expect(first.nextOffset).toBe('12');
    expect(queue.take(5).nextOffset).toBe('13');
    expect(queue.size).toBe(0);
    expect(queue.leaderEpoch).toBe(3);
  });

  it('gives an unhandled batch back to the front', () => {
    const queue = new PartitionQueue('t', 0);
    accept(queue, 1, 2, 3);
    const batch = queue.take(2);
    expect(queue.putBack(batch)).toBe(2);
    expect(queue.take(10).messages.map((m) => m.offset)).toEqual(['1', '2', '3']);
  });

  it('starts over when the stream goes back (re-read after a rejoin): the batch in flight is stale and nothing beyond the re-read point is kept', () => {
    const queue = new PartitionQueue('t', 0);
    accept(queue, 5, 6, 7, 8);
    const inFlight = queue.take(2); // 5, 6 being handled
    // The client re-reads from the committed offset 5: 7 and 8 queued are dropped, 5 comes again.
    expect(accept(queue, 5)).toBe(1 - 2);
    expect(queue.owns(inFlight)).toBe(false);
    expect(queue.putBack(inFlight)).toBe(0); // a stale batch never comes back
    accept(queue, 6, 7);
    expect(queue.take(10).messages.map((m) => m.offset)).toEqual(['5', '6', '7']);
  });

  it('accepts a gap forward (compacted topics) without starting over', () => {
    const queue = new PartitionQueue('t', 0);
    accept(queue, 1);
    const batch = queue.take(1);
    accept(queue, 4);
    expect(queue.owns(batch)).toBe(true);
    expect(queue.take(1).nextOffset).toBe('5');
  });

  it('drop() forgets the queue and makes in-flight batches stale (a revoked partition)', () => {
    const queue = new PartitionQueue('t', 0);
    accept(queue, 1, 2);
    const batch = queue.take(1);
    expect(queue.drop()).toBe(1);
    expect(queue.owns(batch)).toBe(false);
    expect(queue.size).toBe(0);
  });
});
