import { SECOND, sleep } from '@freshen/runtime';

/**
 * Holds a loop to `perSecond` items on average since it started: after each batch, waits
 * until the time the items done so far are due. Aborting the signal ends a wait early.
 */
export class RateLimit {
  private readonly perSecond: number | undefined;
  private readonly startedAt = performance.now();
  private readonly startedWith: number;

  constructor(perSecond: number | undefined, alreadyDone = 0) {
    this.perSecond = perSecond;
    this.startedWith = alreadyDone;
  }

  async wait(done: number, signal: AbortSignal): Promise<void> {
    if (this.perSecond === undefined) return;
    const dueAt = this.startedAt + ((done - this.startedWith) / this.perSecond) * SECOND;
    const delay = dueAt - performance.now();
    if (delay > 0) await sleep(delay, signal).catch(() => {});
  }
}
