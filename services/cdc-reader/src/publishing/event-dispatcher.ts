import { messageKey, type ChangeEvent } from '@freshen/change-event';
import type { EventPublisher, OutgoingMessage } from '@freshen/kafka/publishing';
import {
  backoffDelay,
  FreshenError,
  isFreshenError,
  SECOND,
  sleep,
  type Logger,
} from '@freshen/runtime';
import type { LsnTracker, TrackedTransaction } from '../confirming/lsn-tracker.ts';
import { fitEvent, truncateInstead } from './event-size-limit.ts';
import type { VisibilityBarrier } from './visibility-barrier.ts';

interface Entry {
  topic: string;
  key: string;
  /** The event's JSON text: the exact bytes of encodeEvent(event), kept as a string. */
  value: string;
  /** Bytes counted in flight for this entry (its size when enqueued, even if reduced later). */
  bytes: number;
  /** A truncate is written to every partition of its topic (see README, "Truncate"). */
  everyPartition: boolean;
  txn: TrackedTransaction;
}

export interface DispatcherObserver {
  /** A batch was acknowledged after `latencyMs` (the successful attempt). */
  acked(events: number, bytes: number, latencyMs: number): void;
  /** A publish attempt failed; the same batch will be retried. */
  failed(): void;
  /** An event was too large: columns were left out (`columns`) or a truncate replaced it. */
  reduced(how: 'columns' | 'truncate'): void;
  /** Kafka refused a batch for good (KAFKA_REJECTED); nothing more is sent. */
  fatal(error: FreshenError): void;
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
  /** Largest event published as it is; larger ones lose their largest values (see event-size-limit). */
  maxEventBytes: number;
  /** Holds each batch until its transactions are visible to queries (see visibility-barrier). */
  visibility: VisibilityBarrier;
}

/** What one attempt to publish a batch came to. */
type SendOutcome = { latencyMs: number } | 'too-large' | 'stopped';

/** A batch handed to the publisher, and what its send came to. */
interface Submitted {
  batch: Entry[];
  outcome: Promise<{ latencyMs: number } | { error: unknown }>;
}

/**
 * Batches handed to the publisher at once. Two lets the publisher send the next batch the
 * moment the previous one is acknowledged, instead of after this thread has seen the
 * acknowledgement and built the next (measured on the 1M backlog: see README, "Benchmark").
 */
const BATCHES_IN_FLIGHT = 2;
const ARRIVED = Symbol('arrived');

/**
 * Publishes change events in receive order with up to BATCHES_IN_FLIGHT batches handed to the
 * publisher, which sends each only after the ones before it were acknowledged and sends none
 * behind a failure; a failed batch and those behind it are then sent again in order, so a
 * row's versions never reorder (a retry may duplicate, which consumers tolerate). Events
 * received while the window is full form the next batch, so batches grow with load. Each
 * acknowledged event is counted off its transaction in the LsnTracker.
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
  private settledWaiters: (() => void)[] = [];
  private arrivalPromise: Promise<typeof ARRIVED> | undefined;
  private wakeOnArrival: ((arrived: typeof ARRIVED) => void) | undefined;
  private progressAt = Date.now();
  private failure: Error | undefined;

  constructor(options: EventDispatcherOptions) {
    this.options = options;
  }

  /**
   * When Kafka last acknowledged a batch, or when the dispatcher last went from idle to busy:
   * with events in flight, the time since then is how long publishing has made no progress.
   */
  get lastProgressAt(): number {
    return this.progressAt;
  }

  /** The error of the last publish attempt while it has not succeeded since (undefined when fine). */
  get publishFailure(): Error | undefined {
    return this.failure;
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
    // Same text as encodeEvent (JSON); kept as a string here, and sized with byteLength, so the
    // size checks below need no Buffer of their own.
    let value = JSON.stringify(event);
    let bytes = Buffer.byteLength(value);
    let key = messageKey(event);
    let everyPartition = event.op === 'truncate';
    if (bytes + Buffer.byteLength(key) > this.options.maxEventBytes) {
      const fitted = this.reduce(event, this.options.maxEventBytes, value, key);
      ({ value, bytes, key, everyPartition } = fitted);
    }
    if (this.events === 0) this.progressAt = Date.now();
    this.queue.push({ topic, key, value, bytes, everyPartition, txn });
    this.options.tracker.add(txn);
    this.events++;
    this.bytes += bytes;
    if (!this.scheduled && (!this.sending || this.wakeOnArrival)) {
      this.scheduled = true;
      // Let the rest of the socket chunk being parsed join this batch.
      setImmediate(() => (this.sending ? this.arrived() : void this.run()));
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

  /**
   * Resolves when no publish attempt is outstanding. After stop(), an attempt already sent may
   * still be acknowledged; a new session waits for this so that those older versions cannot land
   * after the same rows re-read from the slot.
   */
  settled(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.sending) return;
    this.sending = true;
    const window: Submitted[] = [];
    try {
      for (;;) {
        while (
          window.length < BATCHES_IN_FLIGHT &&
          this.head < this.queue.length &&
          !this.abort.signal.aborted
        ) {
          const batch = this.takeBatch();
          if (!(await this.waitUntilVisible(batch))) return;
          window.push(await this.submit(batch));
        }
        const first = window[0];
        if (!first) return;
        // With room in the window, events that arrive meanwhile are submitted at once: the
        // publisher sends them the moment the batch ahead is acknowledged.
        if (window.length < BATCHES_IN_FLIGHT && !this.abort.signal.aborted) {
          if ((await Promise.race([first.outcome, this.arrival()])) === ARRIVED) continue;
        }
        const outcome = await first.outcome;
        if ('latencyMs' in outcome) {
          window.shift();
          this.acknowledged(first.batch, outcome.latencyMs);
          continue;
        }
        // Nothing behind a failed batch was sent (see EventPublisher.publish): once every
        // batch in the window has settled, send them all again, one at a time and in order.
        await Promise.all(window.map((submitted) => submitted.outcome));
        let failed: unknown = outcome.error;
        for (const { batch } of window.splice(0)) {
          const sent = await this.deliver(batch, failed);
          failed = undefined;
          if (sent === 'stopped') return;
          this.acknowledged(batch, sent.latencyMs);
        }
      }
    } catch (error) {
      // Only KAFKA_REJECTED gets here: retrying cannot help, so nothing newer may be sent.
      this.abort.abort(error);
      this.options.observer.fatal(error as FreshenError);
    } finally {
      // An attempt handed to the publisher may still be acknowledged: settled() waits for it.
      await Promise.all(window.map((submitted) => submitted.outcome));
      this.sending = false;
      for (const wake of this.settledWaiters.splice(0)) wake();
    }
  }

  /** Hands `batch` to the publisher now (so batches reach it in queue order) without waiting. */
  private async submit(batch: Entry[]): Promise<Submitted> {
    const messages = await this.toMessages(batch);
    const started = performance.now();
    const outcome = this.options.publisher.publish(messages).then(
      () => ({ latencyMs: performance.now() - started }),
      (error: unknown) => ({ error }),
    );
    return { batch, outcome };
  }

  /** Counts `batch` off its transactions once Kafka has acknowledged it. */
  private acknowledged(batch: Entry[], latencyMs: number): void {
    let bytes = 0;
    for (const entry of batch) {
      bytes += entry.bytes;
      this.options.tracker.ack(entry.txn);
    }
    this.events -= batch.length;
    this.bytes -= bytes;
    this.progressAt = Date.now();
    this.failure = undefined;
    this.options.observer.acked(batch.length, bytes, latencyMs);
    if (this.events === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private arrived(): void {
    this.scheduled = false;
    const wake = this.wakeOnArrival;
    this.arrivalPromise = this.wakeOnArrival = undefined;
    wake?.(ARRIVED);
  }

  /** Resolves with ARRIVED once events enqueued after this call may join a batch. */
  private arrival(): Promise<typeof ARRIVED> {
    this.arrivalPromise ??= new Promise((resolve) => (this.wakeOnArrival = resolve));
    return this.arrivalPromise;
  }

  /**
   * Publishes `batch` alone, retrying transient failures with backoff (`failed`: the error of
   * an attempt already made). A batch the broker refuses as too large is sent one event at a
   * time, the ones refused shrunk.
   */
  private async deliver(
    batch: Entry[],
    failed?: unknown,
  ): Promise<{ latencyMs: number } | 'stopped'> {
    const sent = await this.sendWithRetry(batch, failed);
    // One event at a time keeps the order while the refused ones are found.
    return sent === 'too-large' ? this.sendOneByOne(batch) : sent;
  }

  /**
   * Waits until Postgres shows every transaction of `batch` to new queries, retrying a failed
   * check with backoff (the replication stream fails too when Postgres is gone, and the
   * session is replaced). False when stopped.
   */
  private async waitUntilVisible(batch: Entry[]): Promise<boolean> {
    const xids = new Set<number>();
    for (const entry of batch) xids.add(entry.txn.xid);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.visibility.waitUntilVisible(xids, this.abort.signal);
        return true;
      } catch (error) {
        if (this.abort.signal.aborted) return false;
        this.failure = error as Error;
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 10 * SECOND });
        this.options.logger.warn(
          { err: error, attempt, retryInMs: delay },
          'could not check in Postgres that the next batch is visible to queries; retrying before publishing it',
        );
        try {
          await sleep(delay, this.abort.signal);
        } catch {
          return false;
        }
      }
    }
  }

  private async sendOneByOne(batch: Entry[]): Promise<{ latencyMs: number } | 'stopped'> {
    const started = performance.now();
    for (const entry of batch) {
      for (let limit = Math.min(entry.value.length, this.options.maxEventBytes); ;) {
        const sent = await this.sendWithRetry([entry]);
        if (sent === 'stopped') return sent;
        if (sent !== 'too-large') break;
        if (entry.everyPartition && entry.value.length + entry.key.length < 1024)
          throw new FreshenError(
            'KAFKA_REJECTED',
            `Kafka refuses even a ${entry.value.length}-byte truncate event on topic ${entry.topic} as too large; raise the topic's max.message.bytes`,
          );
        // Halve the limit until the topic accepts it (its max.message.bytes is below ours).
        limit = Math.floor(
          Math.min(limit, Buffer.byteLength(entry.value) + Buffer.byteLength(entry.key)) / 2,
        );
        const fitted = this.reduce(
          JSON.parse(entry.value) as ChangeEvent,
          limit,
          entry.value,
          entry.key,
        );
        entry.value = fitted.value;
        entry.key = fitted.key;
        entry.everyPartition = fitted.everyPartition;
      }
    }
    return { latencyMs: performance.now() - started };
  }

  /**
   * Shrinks an event to `limit` bytes (largest values left out and listed as unavailable), or
   * replaces it by a truncate of its table when even its key does not fit. Logs table and LSN,
   * never values.
   */
  private reduce(
    event: ChangeEvent,
    limit: number,
    value: string,
    key: string,
  ): { value: string; bytes: number; key: string; everyPartition: boolean } {
    const where = { table: `${event.schema}.${event.table}`, lsn: event.lsn, limitBytes: limit };
    // The Kafka key (which holds the primary key's values) counts towards the message too.
    const fitted =
      event.op === 'truncate' ? undefined : fitEvent(event, limit - Buffer.byteLength(key), value);
    if (fitted) {
      this.options.observer.reduced('columns');
      this.options.logger.warn(
        { ...where, bytes: Buffer.byteLength(value), left: fitted.event.unavailable },
        'change event larger than the limit: its largest values are left out and listed as unavailable (caches of the row are deleted, not refreshed)',
      );
      return { value: fitted.value, bytes: fitted.bytes, key, everyPartition: false };
    }
    const truncate = truncateInstead(event);
    const truncateValue = JSON.stringify(truncate);
    this.options.observer.reduced('truncate');
    this.options.logger.error(
      where,
      'change event too large even with its key alone: publishing a truncate of its table instead (every cached key of the table is dropped)',
    );
    return {
      value: truncateValue,
      bytes: Buffer.byteLength(truncateValue),
      key: messageKey(truncate),
      everyPartition: true,
    };
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

  /**
   * Publishes `batch`, retrying transient failures with backoff (`failed`: the error of an
   * attempt already made). Returns 'too-large' when the broker refuses a message as too large,
   * throws KAFKA_REJECTED when retrying cannot help.
   */
  private async sendWithRetry(batch: Entry[], failed?: unknown): Promise<SendOutcome> {
    for (let attempt = 0; ; attempt++) {
      let error = failed;
      failed = undefined;
      if (error === undefined) {
        const started = performance.now();
        try {
          // Nothing else is outstanding here: resend clears a failure that held batches back.
          await this.options.publisher.publish(await this.toMessages(batch), { resend: true });
          this.failure = undefined;
          return { latencyMs: performance.now() - started };
        } catch (thrown) {
          error = thrown;
        }
      }
      if (this.abort.signal.aborted) return 'stopped';
      if (isFreshenError(error, 'EVENT_TOO_LARGE')) return 'too-large';
      if (isFreshenError(error, 'KAFKA_REJECTED')) throw error;
      this.failure = error as Error;
      this.options.observer.failed();
      const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 10 * SECOND });
      this.options.logger.warn(
        { err: error, attempt, events: batch.length, retryInMs: delay },
        'publishing to Kafka failed; retrying the same batch (nothing newer is sent meanwhile)',
      );
      try {
        await sleep(delay, this.abort.signal);
      } catch {
        return 'stopped';
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
