import { type ChangeEvent } from '@freshen/change-event';
import type { EventPublisher } from '@freshen/kafka/publishing';
import { FreshenError, type Logger } from '@freshen/runtime';
import type { Pgoutput } from 'pg-logical-replication';
import { LsnTracker, type TrackedTransaction } from './confirming/lsn-tracker.ts';
import { ChangeDecoder, needsPrimaryKeyLookup, unknownMessage } from './decoding/change-decoder.ts';
import type { PrimaryKeys } from './decoding/primary-keys.ts';
import type { ReaderMetrics } from './ops/metrics.ts';
import { EventDispatcher } from './publishing/event-dispatcher.ts';
import { VisibilityBarrier, type SnapshotQuery } from './publishing/visibility-barrier.ts';
import { ReplicationStream, type UnparseableMessage } from './replication/replication-stream.ts';
import { classifyStreamError } from './replication/stream-errors.ts';

export interface StreamSessionOptions {
  databaseUrl: string;
  slot: string;
  publication: string;
  /** The slot's confirmed position when the session starts. */
  startLsn: bigint;
  publisher: EventPublisher;
  topicFor(schema: string, table: string): string;
  primaryKeys: PrimaryKeys;
  /** Reads the primary's current snapshot, on an ordinary connection (see visibility-barrier). */
  currentSnapshot: SnapshotQuery;
  logger: Logger;
  metrics: ReaderMetrics;
  maxBatchEvents: number;
  maxBatchBytes: number;
  /** Largest event published whole (MAX_EVENT_BYTES). */
  maxEventBytes: number;
  maxInFlightEvents: number;
  maxInFlightBytes: number;
  statusIntervalMs: number;
  /** Test-only (FRESHEN_UNSAFE_CONFIRM_ON_RECEIPT): confirm what was received, not what Kafka acknowledged. */
  unsafeConfirmOnReceipt: boolean;
}

type PauseReason = 'backpressure' | 'relation-lookup' | 'stopping';

/** At most this often, a confirmation that moved is sent right away; later ones are coalesced. */
const CONFIRM_COALESCE_MS = 50;

/**
 * One replication connection's life: decode → publish → confirm, with backpressure.
 * A new session (fresh tracker, starting at the slot's confirmed position) replaces it after
 * the connection is lost; events of the old one that were in flight may be delivered twice.
 */
export class StreamSession {
  private readonly options: StreamSessionOptions;
  private readonly stream: ReplicationStream;
  private readonly decoder: ChangeDecoder;
  private readonly tracker: LsnTracker;
  private readonly dispatcher: EventDispatcher;
  private readonly pauses = new Set<PauseReason>();
  private txn: TrackedTransaction | undefined;
  private gated: (Pgoutput.Message | UnparseableMessage)[] | undefined;
  private lastConfirmed: bigint;
  private lastConfirmAt = 0;
  private confirmTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private receivedEnd: bigint;
  private newestReceivedTs = 0;
  private failWith: (error: Error) => void = () => {};
  /** Rejects with the error that ended the session; resolves when it was stopped. */
  readonly done: Promise<void>;

  constructor(options: StreamSessionOptions) {
    this.options = options;
    this.lastConfirmed = options.startLsn;
    this.receivedEnd = options.startLsn;
    this.tracker = new LsnTracker(options.startLsn);
    this.decoder = new ChangeDecoder({
      logger: options.logger,
      primaryKeyOf: (oid) => options.primaryKeys.get(oid),
    });
    this.dispatcher = new EventDispatcher({
      publisher: options.publisher,
      tracker: this.tracker,
      logger: options.logger,
      maxBatchEvents: options.maxBatchEvents,
      maxBatchBytes: options.maxBatchBytes,
      maxEventBytes: options.maxEventBytes,
      visibility: new VisibilityBarrier(options.currentSnapshot, options.logger),
      observer: {
        acked: (events, bytes, latencyMs) => this.onAcked(events, bytes, latencyMs),
        failed: () => options.metrics.publishFailures.inc(),
        reduced: (how) => options.metrics.eventsReduced.inc({ how }),
        fatal: (error) => this.fail(error),
      },
    });
    this.stream = new ReplicationStream({
      databaseUrl: options.databaseUrl,
      slot: options.slot,
      publication: options.publication,
      onMessage: (message) => this.onMessage(message),
      onKeepalive: (walEnd, replyRequested) => this.onKeepalive(walEnd, replyRequested),
    });
    const failed = new Promise<never>((_, reject) => (this.failWith = reject));
    this.done = Promise.race([
      failed,
      this.stream.ended.catch((error: unknown) => {
        throw classifyStreamError(error, options.slot);
      }),
    ]);
    this.done.catch(() => {});
  }

  get inFlightEvents(): number {
    return this.dispatcher.inFlightEvents;
  }

  get inFlightBytes(): number {
    return this.dispatcher.inFlightBytes;
  }

  get paused(): boolean {
    return this.pauses.size > 0;
  }

  /** See EventDispatcher.lastProgressAt. */
  get lastProgressAt(): number {
    return this.dispatcher.lastProgressAt;
  }

  /** The error of the failing publish attempts, while Kafka does not acknowledge. */
  get publishFailure(): Error | undefined {
    return this.dispatcher.publishFailure;
  }

  /** Resolves when no publish attempt of this session is outstanding any more (after end()). */
  settled(): Promise<void> {
    return this.dispatcher.settled();
  }

  async start(): Promise<void> {
    try {
      await this.stream.waitStarted();
    } catch (error) {
      throw classifyStreamError(error, this.options.slot);
    }
    this.statusTimer = setInterval(() => this.confirm(true), this.options.statusIntervalMs);
    this.options.logger.info(
      { slot: this.options.slot, from: this.options.startLsn.toString(16) },
      'streaming',
    );
  }

  /** Stop reading, wait for Kafka to acknowledge what was read, confirm it, close. */
  async stop(): Promise<void> {
    this.pause('stopping');
    await this.dispatcher.drained();
    this.confirm(false);
    await this.end();
  }

  /** Ends without waiting for Kafka (what is unacknowledged stays unconfirmed). */
  async end(): Promise<void> {
    clearInterval(this.statusTimer);
    clearTimeout(this.confirmTimer);
    this.dispatcher.stop();
    await this.stream.stop();
  }

  private onMessage(message: Pgoutput.Message | UnparseableMessage): void {
    if (this.gated) {
      this.gated.push(message);
      return;
    }
    try {
      this.handle(message);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private handle(message: Pgoutput.Message | UnparseableMessage): void {
    if (message.tag === 'unparseable') throw unknownMessage(message.error.message);
    if (
      message.tag === 'relation' &&
      needsPrimaryKeyLookup(message) &&
      !this.options.primaryKeys.known(message.relationOid)
    ) {
      this.lookUpPrimaryKey(message);
      return;
    }
    const decoded = this.decoder.decode(message);
    switch (decoded.kind) {
      case 'begin':
        this.txn = this.tracker.begin(decoded.xid);
        return;
      case 'events':
        for (const event of decoded.events) this.publish(event);
        return;
      case 'commit':
        if (!this.txn) throw unknownMessage('commit without begin');
        this.tracker.commit(this.txn, decoded.endLsn);
        this.txn = undefined;
        if (decoded.endLsn > this.receivedEnd) this.receivedEnd = decoded.endLsn;
        if (this.options.unsafeConfirmOnReceipt) this.confirm(false);
        else this.scheduleConfirm();
        return;
      case 'none':
        return;
    }
  }

  private publish(event: ChangeEvent): void {
    if (!this.txn) throw unknownMessage(`${event.op} outside a transaction`);
    this.dispatcher.enqueue(event, this.options.topicFor(event.schema, event.table), this.txn);
    this.newestReceivedTs = event.ts;
    if (
      this.dispatcher.inFlightEvents >= this.options.maxInFlightEvents ||
      this.dispatcher.inFlightBytes >= this.options.maxInFlightBytes
    ) {
      this.pause('backpressure');
    }
  }

  /** Holds every later message until the table's primary key is known (rare: first sight of a FULL or keyless table). */
  private lookUpPrimaryKey(relation: Pgoutput.MessageRelation): void {
    this.gated = [relation];
    this.pause('relation-lookup');
    this.options.primaryKeys.load(relation.relationOid).then(
      () => {
        const held = this.gated ?? [];
        this.gated = undefined;
        // The relation message itself is handled now that its key is known; a later unknown
        // FULL relation re-opens the gate and the rest queue behind it again.
        for (const message of held) this.onMessage(message);
        if (!this.gated) this.unpause('relation-lookup');
      },
      // A query on the ordinary connection failed: Postgres went away (the reader reconnects).
      (error: unknown) =>
        this.fail(
          new FreshenError(
            'POSTGRES_UNAVAILABLE',
            `could not read the primary key of a table: ${(error as Error).message}`,
            { cause: error },
          ),
        ),
    );
  }

  private onAcked(events: number, bytes: number, latencyMs: number): void {
    const { metrics } = this.options;
    metrics.eventsPublished.inc(events);
    metrics.bytesPublished.inc(bytes);
    metrics.produceLatency.observe(latencyMs / 1000);
    metrics.lagSeconds.set(
      this.dispatcher.inFlightEvents === 0
        ? 0
        : Math.max(0, (Date.now() - this.newestReceivedTs) / 1000),
    );
    if (
      this.pauses.has('backpressure') &&
      this.dispatcher.inFlightEvents <= this.options.maxInFlightEvents / 2 &&
      this.dispatcher.inFlightBytes <= this.options.maxInFlightBytes / 2
    ) {
      this.unpause('backpressure');
    }
    this.scheduleConfirm();
  }

  private onKeepalive(walEnd: bigint, replyRequested: boolean): void {
    // Everything before walEnd was sent; with nothing in flight it is all delivered or unpublished.
    const moved = !this.options.unsafeConfirmOnReceipt && this.tracker.observeIdlePosition(walEnd);
    if (moved || replyRequested) this.confirm(false);
  }

  private scheduleConfirm(): void {
    if (this.confirmTimer || this.confirmable() <= this.lastConfirmed) return;
    const wait = this.lastConfirmAt + CONFIRM_COALESCE_MS - Date.now();
    if (wait <= 0) this.confirm(false);
    else
      this.confirmTimer = setTimeout(() => {
        this.confirmTimer = undefined;
        this.confirm(false);
      }, wait);
  }

  private confirmable(): bigint {
    return this.options.unsafeConfirmOnReceipt ? this.receivedEnd : this.tracker.durableLsn;
  }

  private confirm(replyRequested: boolean): void {
    const lsn = this.confirmable();
    this.stream.confirm(lsn, replyRequested);
    this.lastConfirmed = lsn;
    this.lastConfirmAt = Date.now();
    this.options.metrics.transactionsConfirmed.inc();
  }

  private pause(reason: PauseReason): void {
    this.pauses.add(reason);
    this.stream.pause();
    this.options.metrics.paused.set(1);
  }

  private unpause(reason: PauseReason): void {
    this.pauses.delete(reason);
    if (this.pauses.size > 0) return;
    this.stream.resume();
    this.options.metrics.paused.set(0);
  }

  private fail(error: Error): void {
    this.pause('stopping');
    // Not UNKNOWN_MESSAGE ("upgrade cdc-reader"): an error nobody raised on purpose is a bug.
    this.failWith(
      error instanceof FreshenError
        ? error
        : new FreshenError('INTERNAL', error.message, { cause: error }),
    );
  }
}
