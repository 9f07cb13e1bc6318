import { Producer, stringSerializer, type MessageToProduce } from '@platformatic/kafka';
import { FreshenError } from '@freshen/runtime';
import { kafkaClientOptions, type KafkaConnection } from '../kafka-client.ts';
import { describeKafkaError, isTooLargeError } from '../kafka-errors.ts';
import { javaCompatiblePartition } from '../publisher/java-compatible-partitioner.ts';
import type { ConsumedMessage } from './change-consumer.ts';

/**
 * Header names on a dead-lettered message. The value and key are the original bytes, so a
 * fixed message can be re-produced to its origin topic as it is - unless the letter is a
 * reference (`freshen-reference: true`): then the original did not fit the DLQ, and the value
 * is a JSON `DeadLetterReference` pointing at it (it stays in its origin topic until retention
 * removes it).
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
  reference: 'freshen-reference',
  originalSize: 'freshen-original-size',
} as const;

/** The value of a reference letter. `prefix` is the start of the payload (row text may be in it). */
export interface DeadLetterReference {
  reference: {
    topic: string;
    partition: number;
    offset: string;
    /** Bytes of the original key + value. */
    size: number;
    errorCode: string;
    errorMessage: string;
    /** Why the original could not be dead-lettered as it is. */
    deadLetterError: string;
  };
  prefix: string;
}

/** How each letter went out: as the original bytes, or as a reference to them. */
export type DeadLetterForm = 'original' | 'reference';

/** Bytes of the payload kept in a reference: enough to recognise the row, small enough to always fit. */
export const REFERENCE_PREFIX_BYTES = 512;
const MAX_HEADER_TEXT = 1000;

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
  /**
   * Resolves once Kafka acknowledged every letter (acks=all, idempotent producer), with the
   * form each went out in: a letter the DLQ refuses as too large goes as a reference. Rejects
   * (to be retried; nothing may be committed past the letters) when Kafka is unreachable, or
   * with DEAD_LETTER_FAILED when even the reference was refused.
   */
  send(letters: readonly DeadLetter[]): Promise<DeadLetterForm[]>;
  close(): Promise<void>;
}

type Letter = MessageToProduce<Buffer, Buffer, string, string>;

/**
 * The client's own retries of one send before `send` rejects; the batch processor then retries
 * the letters itself, with its own backoff, while the partition waits (nothing is committed).
 */
const SEND_RETRIES = 3;

export async function createDeadLetterProducer(
  connection: KafkaConnection,
  topic: string,
): Promise<DeadLetterProducer> {
  // Idempotent: acks from all in-sync replicas and no duplicate from the client's own retries.
  const producer = new Producer<Buffer, Buffer, string, string>({
    ...kafkaClientOptions(connection),
    idempotent: true,
    retries: SEND_RETRIES,
    autocreateTopics: false,
    partitioner: (message) =>
      javaCompatiblePartition({ ...message, key: message.key?.toString('utf8') }),
    serializers: {
      key: (key) => key,
      value: (value) => value,
      headerKey: stringSerializer,
      headerValue: stringSerializer,
    },
  });
  try {
    // The client connects lazily: take the producer id now so an unreachable cluster shows at start.
    await producer.initIdempotentProducer({});
  } catch (error) {
    await producer.close().catch(() => {});
    throw error;
  }
  let closing: Promise<void> | undefined;
  const produce = (messages: Omit<Letter, 'topic'>[]) =>
    producer
      .send({ messages: messages.map((message) => ({ ...message, topic })) })
      .then(() => undefined);
  return {
    topic,
    async send(letters) {
      if (letters.length === 0) return [];
      const failedAt = new Date().toISOString();
      try {
        await produce(letters.map((letter) => originalLetter(letter, failedAt)));
        return letters.map(() => 'original');
      } catch (error) {
        if (!isTooLargeError(error)) throw error;
      }
      // One of them is too large for the DLQ: send one by one, the too-large ones as references.
      const forms: DeadLetterForm[] = [];
      for (const letter of letters) {
        try {
          await produce([originalLetter(letter, failedAt)]);
          forms.push('original');
          continue;
        } catch (error) {
          if (!isTooLargeError(error)) throw error;
          try {
            await produce([referenceLetter(letter, failedAt, error as Error)]);
          } catch (referenceError) {
            if (!isTooLargeError(referenceError)) throw referenceError;
            throw new FreshenError(
              'DEAD_LETTER_FAILED',
              `${topic} refused even a reference to ${letter.message.topic}/${letter.message.partition}@${letter.message.offset}; raise its max.message.bytes`,
              { cause: referenceError },
            );
          }
          forms.push('reference');
        }
      }
      return forms;
    },
    close() {
      closing ??= producer.close();
      return closing;
    },
  };
}

const clip = (text: string) =>
  text.length > MAX_HEADER_TEXT ? `${text.slice(0, MAX_HEADER_TEXT)}…` : text;

function originHeaders(letter: DeadLetter, failedAt: string): Record<string, string> {
  const { message, errorCode, errorMessage, errorDetail } = letter;
  return {
    [DEAD_LETTER_HEADERS.errorCode]: errorCode,
    [DEAD_LETTER_HEADERS.errorMessage]: clip(errorMessage),
    ...(errorDetail === undefined ? {} : { [DEAD_LETTER_HEADERS.errorDetail]: clip(errorDetail) }),
    [DEAD_LETTER_HEADERS.originTopic]: message.topic,
    [DEAD_LETTER_HEADERS.originPartition]: String(message.partition),
    [DEAD_LETTER_HEADERS.originOffset]: message.offset,
    [DEAD_LETTER_HEADERS.failedAt]: failedAt,
  };
}

function originalLetter(letter: DeadLetter, failedAt: string): Omit<Letter, 'topic'> {
  return {
    ...(letter.message.key === null ? {} : { key: letter.message.key }),
    ...(letter.message.value === null ? {} : { value: letter.message.value }),
    headers: originHeaders(letter, failedAt),
  };
}

function referenceLetter(
  letter: DeadLetter,
  failedAt: string,
  cause: Error,
): Omit<Letter, 'topic'> {
  const { message } = letter;
  const size = (message.key?.length ?? 0) + (message.value?.length ?? 0);
  const value: DeadLetterReference = {
    reference: {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      size,
      errorCode: letter.errorCode,
      errorMessage: clip(letter.errorMessage),
      deadLetterError: clip(describeKafkaError(cause)),
    },
    prefix: (message.value ?? Buffer.alloc(0)).subarray(0, REFERENCE_PREFIX_BYTES).toString('utf8'),
  };
  return {
    ...(message.key && message.key.length <= MAX_HEADER_TEXT ? { key: message.key } : {}),
    value: Buffer.from(JSON.stringify(value), 'utf8'),
    headers: {
      ...originHeaders(letter, failedAt),
      [DEAD_LETTER_HEADERS.reference]: 'true',
      [DEAD_LETTER_HEADERS.originalSize]: String(size),
    },
  };
}
