import type { ErrorCode } from '@freshen/runtime';
import type { PackedBatch } from './packed-batch.ts';
import type { PlatformaticEventPublisherOptions } from './platformatic-event-publisher.ts';

/**
 * The messages between ThreadEventPublisher (the caller's thread) and publisher-thread.ts (the
 * worker that owns the Kafka producer). One home for both sides' view of the protocol.
 */
export type PublisherCall =
  | { id: number; method: 'connect' }
  | { id: number; method: 'prepareTopic'; topic: string }
  | { id: number; method: 'publish'; batch: PackedBatch; resend: boolean }
  | { id: number; method: 'probe'; timeoutMs: number }
  | { id: number; method: 'close' };

/** A call's outcome; a FreshenError crosses as its code and message (its cause stays behind). */
export type PublisherReply =
  | { id: number; ok: true; value?: number }
  | { id: number; ok: false; code: ErrorCode | undefined; message: string };

/** What the worker is started with: the publisher's options, its logger as level and bindings. */
export interface PublisherThreadData {
  options: Omit<PlatformaticEventPublisherOptions, 'logger'>;
  logName: string;
  logLevel: string;
  logBindings: Record<string, unknown>;
}
