/**
 * Freshen's own small consumer interface, so services depend on this and not on a Kafka client.
 * Delivery is at least once: a batch's offsets are committed only after its handler returned
 * `'done'`, i.e. after every side effect of every message in it was acknowledged.
 */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** Kafka offset, as a decimal string (int64). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The message's Kafka timestamp (producer create time unless the topic says otherwise), ms. */
  timestamp: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** Keeps group membership alive during a long batch (Redis outage); throws when the group rebalances. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: a handler waiting on a dependency should give up. */
  isRunning(): boolean;
  /** True when the partition was re-sought or reassigned and this batch must not be committed. */
  isStale(): boolean;
}

/**
 * `'done'`: every message was handled; the consumer commits past the last one.
 * `'abandoned'`: nothing is committed; the same messages are delivered again (to this or
 * another instance).
 */
export type BatchOutcome = 'done' | 'abandoned';

export type BatchHandler = (batch: ConsumedBatch) => Promise<BatchOutcome>;

export type TopicSelection =
  /** Exactly these topics. */
  | { topics: readonly string[] }
  /** Every topic matching, re-checked periodically so new tables are picked up. */
  | { pattern: RegExp; exclude?: readonly string[] };

export interface ChangeConsumer {
  /** Joins the group and starts delivering batches to `handler`. */
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching from every assigned partition (a dependency is down); in-flight batches continue. */
  pauseAll(): void;
  resumeAll(): void;
  /** Topics currently subscribed. */
  readonly topics: readonly string[];
  /** True while the consumer is a member of the group and fetching. */
  readonly running: boolean;
  /** True while finished offsets wait to be committed (health: work pending). */
  readonly hasPendingCommits: boolean;
  /** Finishes and commits in-flight batches, leaves the group. Idempotent. */
  close(): Promise<void>;
}
