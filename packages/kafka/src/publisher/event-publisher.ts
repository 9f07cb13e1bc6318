/**
 * Freshen's own small publishing interface, so the Kafka client behind it can be swapped
 * (@platformatic/kafka today). A publisher writes batches of keyed messages and says when the broker has
 * durably acknowledged them; it decides nothing about retries of whole batches (the caller
 * does, because only the caller knows what must stay in order).
 */
export interface OutgoingMessage {
  topic: string;
  /** Messages with one key land in one partition, in the order they were published. */
  key: string;
  /** Bytes, or text written as UTF-8 (the publisher encodes it). */
  value: Buffer | string;
  /** Forces a partition (e.g. a barrier written to every partition); otherwise chosen from `key`. */
  partition?: number;
}

export interface PublishOptions {
  /** Send even though an earlier call failed: the caller is publishing again what it held back. */
  resend?: boolean;
}

export interface EventPublisher {
  /** Connects; rejects with FreshenError KAFKA_UNAVAILABLE when the brokers cannot be reached. */
  connect(): Promise<void>;
  /**
   * Makes sure `topic` exists (created with the configured partition count if absent) and
   * returns its partition count. Cached after the first call per topic.
   */
  prepareTopic(topic: string): Promise<number>;
  /**
   * Resolves once every message is acknowledged by all in-sync replicas. Calls are sent in call
   * order, each only after every earlier one succeeded, so a caller may keep several batches in
   * flight. Once a call fails, every later call rejects without being sent until one is made
   * with `resend`: on a rejection nothing is known about which messages of that batch were
   * written, nothing newer was, and the caller, once every call has settled, publishes that batch
   * (with `resend`) and each later one again, in order (duplicates are allowed, reordering is
   * not). Rejects with a FreshenError: KAFKA_UNAVAILABLE (retry), EVENT_TOO_LARGE (a message is
   * larger than the topic accepts: make it smaller) or KAFKA_REJECTED (retrying cannot help).
   */
  publish(messages: readonly OutgoingMessage[], options?: PublishOptions): Promise<void>;
  /**
   * Asks a broker for cluster metadata; rejects with KAFKA_UNAVAILABLE when none answers
   * within `timeoutMs`. Used by readiness while nothing is being published.
   */
  probe(timeoutMs: number): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
