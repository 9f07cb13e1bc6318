import type { Message } from '@platformatic/kafka';
import type { ConsumedMessage } from './change-consumer.ts';

/** Messages taken from a PartitionQueue for one handler call. */
export interface TakenBatch {
  messages: ConsumedMessage[];
  /** The offset to commit once the batch is done: one past its last message. */
  nextOffset: string;
  /** The queue's epoch when taken: a batch of an older epoch is stale. */
  epoch: number;
}

/**
 * What arrived from one partition and waits for the handler, in offset order. When the
 * stream goes back (the client re-reads the partition from its committed offset after a
 * rejoin), the queue starts over from there and bumps its epoch: the batch in flight and
 * everything queued beyond it are stale, so nothing past the re-read point is committed
 * before it has been handled again.
 */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  /** True while a handler works on this partition (one batch at a time, in order). */
  running = false;
  /** The leader epoch of the last message (sent with commits, so a stale leader is detected). */
  leaderEpoch = -1;
  private messages: ConsumedMessage[] = [];
  /** One past the last accepted offset. */
  private next: bigint | undefined;
  private epoch = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  get size(): number {
    return this.messages.length;
  }

  /** Adds a message; returns by how much the number of queued messages changed. */
  accept(raw: Pick<Message, 'offset' | 'leaderEpoch'>, message: ConsumedMessage): number {
    this.leaderEpoch = raw.leaderEpoch;
    let change = 1;
    if (this.next !== undefined && raw.offset < this.next) change -= this.drop();
    this.messages.push(message);
    this.next = raw.offset + 1n;
    return change;
  }

  take(max: number): TakenBatch {
    const messages = this.messages.splice(0, max);
    const last = messages[messages.length - 1]!;
    return { messages, nextOffset: (BigInt(last.offset) + 1n).toString(), epoch: this.epoch };
  }

  /** False once the queue started over (or was dropped) after `batch` was taken. */
  owns(batch: TakenBatch): boolean {
    return batch.epoch === this.epoch;
  }

  /** Returns an unhandled batch to the front, to be handed out again; returns how many came back. */
  putBack(batch: TakenBatch): number {
    if (!this.owns(batch)) return 0;
    this.messages.unshift(...batch.messages);
    return batch.messages.length;
  }

  /** Forgets everything queued and makes in-flight batches stale; returns how many were dropped. */
  drop(): number {
    const dropped = this.messages.length;
    this.messages = [];
    this.next = undefined;
    this.epoch++;
    return dropped;
  }
}
