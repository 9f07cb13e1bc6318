import { DEAD_LETTER_HEADERS } from '@freshen/kafka';
import type { ReadMessage } from '../kafka/topic-reader.ts';

/** A dead letter as `freshen dlq` shows it: where it came from and why it failed. */
export interface DeadLetterView {
  /** `<partition>@<offset>` in the dead-letter topic. */
  id: string;
  partition: number;
  offset: bigint;
  failedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** A rule's own error text (may quote row values): shown by `dlq show` only. */
  errorDetail: string | null;
  origin: { topic: string; partition: number; offset: string } | null;
  /** The original did not fit the DLQ: the value is a reference to it (see DeadLetterReference). */
  reference: boolean;
  key: Buffer | null;
  value: Buffer | null;
  /** Below the replay group's mark: `freshen dlq replay --all` already applied it. */
  replayed: boolean;
}

export function letterId(partition: number, offset: bigint): string {
  return `${partition}@${offset}`;
}

/** `3` (partition 0) or `1@3`, as the user typed it, to a letter id. */
export function parseLetterId(text: string): string | undefined {
  const match = /^(?:(\d+)@)?(\d+)$/.exec(text.trim());
  return match ? letterId(Number(match[1] ?? 0), BigInt(match[2]!)) : undefined;
}

export function toDeadLetter(
  message: ReadMessage,
  replayedBelow: bigint | undefined,
): DeadLetterView {
  const header = (name: string) => message.headers.get(name) ?? null;
  const originTopic = header(DEAD_LETTER_HEADERS.originTopic);
  return {
    id: letterId(message.partition, message.offset),
    partition: message.partition,
    offset: message.offset,
    failedAt: header(DEAD_LETTER_HEADERS.failedAt),
    errorCode: header(DEAD_LETTER_HEADERS.errorCode),
    errorMessage: header(DEAD_LETTER_HEADERS.errorMessage),
    errorDetail: header(DEAD_LETTER_HEADERS.errorDetail),
    origin:
      originTopic === null
        ? null
        : {
            topic: originTopic,
            partition: Number(header(DEAD_LETTER_HEADERS.originPartition) ?? 0),
            offset: header(DEAD_LETTER_HEADERS.originOffset) ?? '0',
          },
    reference: header(DEAD_LETTER_HEADERS.reference) === 'true',
    key: message.key,
    value: message.value,
    replayed: replayedBelow !== undefined && message.offset < replayedBelow,
  };
}
