import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { ConsumedMessage } from './change-consumer.ts';

/**
 * Header names on a dead-lettered message. The value and key are the original bytes, so a
 * fixed message can be re-produced to its origin topic as it is.
 */
export const DEAD_LETTER_HEADERS = {
  errorCode: 'freshen-error-code',
  errorMessage: 'freshen-error-message',
  /** The failing rule's own error text, which may quote row values (so it is never logged). */
  errorDetail: 'freshen-error-detail',
  originTopic: 'freshen-origin-topic',
  originPartition: 'freshen-origin-partition',
  originOffset: 'freshen-origin-offset',
  failedAt: 'freshen-failed-at',
} as const;

export interface DeadLetter {
  message: ConsumedMessage;
  errorCode: string;
  /** Safe to log: names the table, rule and LSN, never row values. */
  errorMessage: string;
  /** May hold row values: for the dead-letter topic only (FreshenError.detail). */
  errorDetail?: string;
}

export interface DeadLetterProducer {
  readonly topic: string;
  /** Resolves once Kafka acknowledged every letter (acks=all, idempotent producer). */
  send(letters: readonly DeadLetter[]): Promise<void>;
  close(): Promise<void>;
}

export async function createDeadLetterProducer(
  kafka: Kafka,
  topic: string,
): Promise<DeadLetterProducer> {
  // DefaultPartitioner (murmur2, Java-compatible) chosen explicitly: kafkajs warns otherwise.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let closing: Promise<void> | undefined;
  return {
    topic,
    async send(letters) {
      if (letters.length === 0) return;
      const failedAt = new Date().toISOString();
      await producer.send({
        topic,
        acks: -1,
        messages: letters.map(({ message, errorCode, errorMessage, errorDetail }) => ({
          key: message.key,
          value: message.value,
          headers: {
            [DEAD_LETTER_HEADERS.errorCode]: errorCode,
            [DEAD_LETTER_HEADERS.errorMessage]: errorMessage,
            ...(errorDetail === undefined
              ? {}
              : { [DEAD_LETTER_HEADERS.errorDetail]: errorDetail }),
            [DEAD_LETTER_HEADERS.originTopic]: message.topic,
            [DEAD_LETTER_HEADERS.originPartition]: String(message.partition),
            [DEAD_LETTER_HEADERS.originOffset]: message.offset,
            [DEAD_LETTER_HEADERS.failedAt]: failedAt,
          },
        })),
      });
    },
    close() {
      closing ??= producer.disconnect();
      return closing;
    },
  };
}
