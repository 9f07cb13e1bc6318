/**
 * The Kafka protocol error type (`MESSAGE_TOO_LARGE`, `TOPIC_ALREADY_EXISTS`, ...) behind an
 * error, looking through kafkajs's wrappers (retries exceeded, non-retriable, aggregate). Retry
 * decisions read this field, never the message text.
 */
export function kafkaErrorType(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { type, cause, errors } = current as {
      type?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof type === 'string') return type;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = cause;
  }
  return undefined;
}

/** Errors that say the message itself is too big for the topic: re-sending it as it is cannot help. */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

export function isTooLargeError(error: unknown): boolean {
  const type = kafkaErrorType(error);
  return type !== undefined && TOO_LARGE.has(type);
}
