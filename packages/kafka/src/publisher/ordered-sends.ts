import { FreshenError } from '@freshen/runtime';

/**
 * Runs sends one after another in call order and, once one has failed, runs no later send
 * until the caller resends. This is what lets a caller keep several batches in flight without
 * a retry putting an older batch after a newer one: a batch is only sent once every batch
 * handed over before it has been acknowledged, and when one fails, those behind it (even ones
 * handed over before the caller heard of the failure, from another thread) fail unsent. The
 * caller then publishes them all again, in order, the first with `resend`.
 */
export class OrderedSends {
  /** Settles (never rejects) when the newest send has. */
  private tail: Promise<void> = Promise.resolve();
  /** The failure that holds later sends back, until a resend. */
  private halted: Error | undefined;

  run(send: () => Promise<void>, resend = false): Promise<void> {
    const mine = this.tail.then(async () => {
      if (this.halted && !resend)
        throw new FreshenError(
          'KAFKA_UNAVAILABLE',
          `not sent: an earlier batch failed (${this.halted.message})`,
        );
      this.halted = undefined;
      try {
        await send();
      } catch (error) {
        this.halted = error as Error;
        throw error;
      }
    });
    this.tail = mine.catch(() => {});
    return mine;
  }
}
