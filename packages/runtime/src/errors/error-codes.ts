/**
 * Every error code Freshen raises, in one closed set. Retries are decided from the code's
 * `retryable` flag, never from message text. Add a code here (with a comment) before using it.
 */
export const ERROR_CODES = {
  /** Configuration is invalid; the process refuses to start. */
  CONFIG_INVALID: { retryable: false },
  /** The replication slot does not exist (dropped underneath us) or was invalidated. */
  SLOT_MISSING: { retryable: false },
  /** The database role may not create a slot/publication or replicate. */
  PRIVILEGE_MISSING: { retryable: false },
  /** Postgres cannot be reached or dropped the connection. */
  POSTGRES_UNAVAILABLE: { retryable: true },
  /** Kafka cannot be reached, or rejected a produce/commit for a transient reason. */
  KAFKA_UNAVAILABLE: { retryable: true },
  /** Kafka refused a message as larger than the topic or broker allows (MESSAGE_TOO_LARGE). */
  EVENT_TOO_LARGE: { retryable: false },
  /** Kafka refused a produce request for a reason retrying cannot fix (authorization, policy...). */
  KAFKA_REJECTED: { retryable: false },
  /** Redis cannot be reached or failed a command for a transient reason. */
  REDIS_UNAVAILABLE: { retryable: true },
  /** Redis refused us for a reason retrying cannot fix (password, ACL, TLS certificate). */
  REDIS_REFUSED: { retryable: false },
  /** A message could not be written to the dead-letter topic, not even as a reference. */
  DEAD_LETTER_FAILED: { retryable: true },
  /** A replication message of a type this version does not understand. */
  UNKNOWN_MESSAGE: { retryable: false },
  /** A Kafka message that is not a valid change event (bad JSON, unknown version, bad shape). */
  EVENT_UNDECODABLE: { retryable: false },
  /** A cache key cannot be built or declared (bad kind/parameter name, unencodable value). */
  KEY_INVALID: { retryable: false },
  /** A user rule threw while mapping a change to keys. */
  RULE_FAILED: { retryable: false },
  /** The rules do not match the live schema (missing table, column, replica identity...). */
  SCHEMA_MISMATCH: { retryable: false },
  /** A cache-aside loader failed; the caller gets the cause. */
  LOADER_FAILED: { retryable: false },
  /** An error Freshen did not expect: a bug. Its cause says what; never a user's mistake. */
  INTERNAL: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;
