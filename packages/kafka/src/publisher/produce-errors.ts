import { FreshenError } from '@freshen/runtime';
import { kafkaErrorNames } from '../kafka-errors.ts';

/**
 * Broker error names (Kafka protocol error codes, kafka/common/protocol/Errors.java) that say
 * a message can never be written as it is: the caller must make it smaller.
 */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Broker errors that retrying the same request cannot fix. Deliberately a short list of
 * certainly-permanent errors: anything else (including errors a client marks non-retryable
 * after a broker restart, such as sequence or epoch errors) is treated as transient, because
 * stopping the reader on a transient error is worse than retrying a permanent one with backoff.
 */
const PERMANENT = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_RECORD',
  'POLICY_VIOLATION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'INVALID_REQUIRED_ACKS',
]);

/**
 * Turns a client's produce failure into a FreshenError whose code tells the caller what to
 * do: EVENT_TOO_LARGE (make the messages smaller), KAFKA_REJECTED (stop: retrying cannot
 * help) or KAFKA_UNAVAILABLE (retry the same batch).
 */
export function classifyProduceError(error: unknown, describe: (error: unknown) => string) {
  const names = kafkaErrorNames(error);
  const tooLarge = names.find((name) => TOO_LARGE.has(name));
  if (tooLarge)
    return new FreshenError(
      'EVENT_TOO_LARGE',
      `Kafka refused a message as too large (${tooLarge}); raise the topic's max.message.bytes or lower MAX_EVENT_BYTES`,
      { cause: error },
    );
  const permanent = names.find((name) => PERMANENT.has(name));
  if (permanent)
    return new FreshenError(
      'KAFKA_REJECTED',
      `Kafka refused to write (${permanent}): ${describe(error)}. Fix the topic's or the principal's settings; retrying cannot help`,
      { cause: error },
    );
  return new FreshenError('KAFKA_UNAVAILABLE', `publishing to Kafka failed: ${describe(error)}`, {
    cause: error,
  });
}
