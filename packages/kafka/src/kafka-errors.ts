/**
 * Names of the Kafka protocol errors (`MESSAGE_TOO_LARGE`, `TOPIC_ALREADY_EXISTS`, ...) inside
 * a client error, looking through @platformatic/kafka's aggregates (MultipleErrors) and causes.
 * Retry decisions read these names (ProtocolError.apiId), never the message text.
 */
export function kafkaErrorNames(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const record = error as Record<string, unknown>;
  const names: string[] = typeof record.apiId === 'string' ? [record.apiId] : [];
  names.push(...kafkaErrorNames(record.cause, seen));
  if (Array.isArray(record.errors))
    for (const inner of record.errors) names.push(...kafkaErrorNames(inner, seen));
  return names;
}

/** The first protocol error name behind an error, if any. */
export function kafkaErrorType(error: unknown): string | undefined {
  return kafkaErrorNames(error)[0];
}

/** Errors that say the message itself is too big for the topic: re-sending it as it is cannot help. */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

export function isTooLargeError(error: unknown): boolean {
  return kafkaErrorNames(error).some((name) => TOO_LARGE.has(name));
}

/** Every protocol error behind `error` is `name` (e.g. two instances creating one topic). */
export function isOnly(error: unknown, name: string): boolean {
  const names = kafkaErrorNames(error);
  return names.length > 0 && names.every((inner) => inner === name);
}

/** The client wraps broker errors in aggregates whose own message says little. */
export function describeKafkaError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0)
    return `${error.message} (${error.errors.map((inner) => describeKafkaError(inner)).join('; ')})`;
  return error instanceof Error ? error.message : String(error);
}
