import { messageKey, type ChangeEvent } from '@freshen/change-event';
import type { EventPublisher, OutgoingMessage } from '@freshen/kafka';
import { backoffDelay, SECOND, sleep, type Logger } from '@freshen/runtime';
import type { LsnTracker, TrackedTransaction } from '../confirming/lsn-tracker.ts';

interface Entry {
  topic: string;
  key: string;
  /** The event's JSON text: the exact bytes of encodeEvent(event), kept as a string. */
  value: string;
  bytes: number;
  /** A truncate is written to every partition of its topic (see README, "Truncate"). */
  everyPartition: boolean;
  txn: TrackedTransaction;
}

export interface DispatcherObserver {
  /** A batch was acknowledged after `latencyMs` (the successful attempt). */
  acked(events: number, bytes: number, latencyMs: number): void;
  /** A publish attempt failed; the same batch will be retried. */
  failed(error: Error, attempt: number): void;
}

export interface EventDispatcherOptions {
  publisher: EventPublisher;
  tracker: LsnTracker;
  logger: Logger;
  observer: DispatcherObserver;
  /** Most events in one produce request. */
  maxBatchEvents: number;
  /** Most bytes (sum of values) in one produce request; keep under the broker's message.max.bytes. */
  maxBatchBytes: number;
}

/**
 * Publishes change events in receive order with at most one batch in flight, so a failed
 * batch can be retried before anything newer is written (a row's versions never reorder; a
 * retry may duplicate, which consumers tolerate). Events received while a batch is in flight
 * form the next batch, so batches grow with load. Each acknowledged event is counted off its
 * transaction in the LsnTracker.
 */
export class EventDispatcher {
  private readonly options: EventDispatcherOptions;
  private queue: Entry[] = [];
  private head = 0;
  private sending = false;
  private scheduled = false;
  private events = 0;
  private bytes = 0;
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(options: EventDispatcherOptions) {
    this.options = options;
  }

  /** Events received and not yet acknowledged by Kafka. */
  get inFlightEvents(): number {
    return this.events;
  }

  /** Bytes (encoded values) received and not yet acknowledged by Kafka. */
  get inFlightBytes(): number {
    return this.bytes;
  }

  enqueue(event: ChangeEvent, topic: string, txn: TrackedTransaction): void {
    // Same text as encodeEvent (JSON), but not copied into a Buffer of its own: kafkajs writes
    // strings straight into its request buffer, which saves an allocation per event.
    const value = JSON.stringify(event);
    const bytes = Buffer.byteLength(value);
    this.queue.push({
      topic,
      key: messageKey(event),
      value,
      bytes,
      everyPartition: event.op === 'truncate',
      txn,
    });
    this.options.tracker.add(txn);
    this.events++;
    this.bytes += bytes;
    if (!this.sending && !this.scheduled) {
      this.scheduled = true;
      // Let the rest of the socket chunk being parsed join this batch.
      setImmediate(() => void this.run());
    }
  }

  /** Resolves when everything enqueued so far is acknowledged (or sending was aborted). */
  drained(): Promise<void> {
    if (this.events === 0 || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops retrying; what is not acknowledged stays unconfirmed (and is re-read after restart). */
  stop(): void {
    this.abort.abort(new Error('dispatcher stopped'));
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.head < this.queue.length && !this.abort.signal.aborted) {
        const batch = this.takeBatch();
        const sent = await this.sendWithRetry(batch);
        if (!sent) return;
        let bytes = 0;
        for (const entry of batch) {
          bytes += entry.bytes;
          this.options.tracker.ack(entry.txn);
        }
        this.events -= batch.length;
        this.bytes -= bytes;
        this.options.observer.acked(batch.length, bytes, sent.latencyMs);
        if (this.events === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    } finally {
      this.sending = false;
    }
  }

  private takeBatch(): Entry[] {
    const { maxBatchEvents, maxBatchBytes } = this.options;
    const start = this.head;
    let end = start;
    let bytes = 0;
    while (end < this.queue.length && end - start < maxBatchEvents) {
      const size = this.queue[end]!.bytes;
      if (end > start && bytes + size > maxBatchBytes) break;
      bytes += size;
      end++;
    }
    const batch = this.queue.slice(start, end);
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      // Drop sent entries so their buffers can be collected; amortised O(1) per entry.
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private async sendWithRetry(batch: Entry[]): Promise<{ latencyMs: number } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await this.options.publisher.publish(await this.toMessages(batch));
        return { latencyMs: performance.now() - started };
      } catch (error) {
        if (this.abort.signal.aborted) return undefined;
        this.options.observer.failed(error as Error, attempt);
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 10 * SECOND });
        this.options.logger.warn(
          { err: error, attempt, events: batch.length, retryInMs: delay },
          'publishing to Kafka failed; retrying the same batch (nothing newer is sent meanwhile)',
        );
        try {
          await sleep(delay, this.abort.signal);
        } catch {
          return undefined;
        }
      }
    }
  }

  private async toMessages(batch: Entry[]): Promise<OutgoingMessage[]> {
    const messages: OutgoingMessage[] = [];
    let lastTopic = '';
    let partitions = 0;
    for (const entry of batch) {
      if (entry.topic !== lastTopic) {
        partitions = await this.options.publisher.prepareTopic(entry.topic);
        lastTopic = entry.topic;
      }
      if (!entry.everyPartition) {
        messages.push({ topic: entry.topic, key: entry.key, value: entry.value });
        continue;
      }
      for (let partition = 0; partition < partitions; partition++) {
        messages.push({ topic: entry.topic, key: entry.key, value: entry.value, partition });
      }
    }
    return messages;
  }
}
