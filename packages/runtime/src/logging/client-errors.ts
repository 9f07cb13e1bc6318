import { redactSecrets } from '@freshen/config';
import type { Logger } from '../logger.ts';
import { SECOND } from '../time.ts';

/** Anything that emits `error` events: an ioredis client or cluster, a pg pool. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ClientErrorOptions {
  /** What the client is, for the log line (`redis`). */
  client: string;
  /** The same error again within this long is counted, not logged. Default 30 s. */
  repeatMs?: number;
  now?: () => number;
}

/**
 * Logs a client's `error` events as JSON warn lines. Without a listener ioredis prints
 * "[ioredis] Unhandled error event" with a stack as plain text on stderr; with a naive one it
 * logs every reconnect attempt. Here a repeat of the same error is logged at most once per
 * `repeatMs`, with the number of repeats in between; a different error is logged at once.
 * The health endpoints and metrics, not these lines, say whether the service is working.
 */
export function logClientErrors(
  emitter: ErrorEmitter,
  logger: Logger,
  options: ClientErrorOptions,
): void {
  const { repeatMs = 30 * SECOND, now = Date.now } = options;
  let last: string | undefined;
  let loggedAt = 0;
  let repeats = 0;
  emitter.on('error', (error: Error) => {
    const code = (error as { code?: string }).code;
    const message = redactSecrets(error.message || String(error));
    const at = now();
    if (message === last && at - loggedAt < repeatMs) {
      repeats += 1;
      return;
    }
    logger.warn(
      { client: options.client, code, ...(repeats > 0 ? { repeats } : {}) },
      `${options.client} error: ${message}`,
    );
    last = message;
    loggedAt = at;
    repeats = 0;
  });
}
