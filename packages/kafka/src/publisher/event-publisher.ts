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

export interface EventPublisher {
  /** Connects; rejects with FreshenError KAFKA_UNAVAILABLE when the brokers cannot be reached. */
  connect(): Promise<void>;
  /**
   * Makes sure `topic` exists (created with the configured partition count if absent) and
   * returns its partition count. Cached after the first call per topic.
   */
  prepareTopic(topic: string): Promise<number>;
  /**
   * Resolves once every message is acknowledged by all in-sync replicas. On rejection nothing
   * is known about which messages were written: publish the batch again (duplicates are allowed,
   * reordering is not, so do not publish anything newer first). Rejects with a FreshenError:
   * KAFKA_UNAVAILABLE (retry), EVENT_TOO_LARGE (a message is larger than the topic accepts:
   * make it smaller) or KAFKA_REJECTED (retrying cannot help).
   */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  /**
   * Asks a broker for cluster metadata; rejects with KAFKA_UNAVAILABLE when none answers
   * within `timeoutMs`. Used by readiness while nothing is being published.
   */
  probe(timeoutMs: number): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
