export interface WaitForOptions {
  /** Give up after this long. Default 20 s. */
  timeoutMs?: number;
  /** Poll interval. Default 25 ms. */
  intervalMs?: number;
  /** What is being waited for, for the timeout message. */
  description?: string;
}

/** "Not yet", with what was seen instead (returned by a waitFor check; see notYet). */
class NotYet {
  readonly detail: string;
  constructor(detail: string) {
    this.detail = detail;
  }
}

/** A check's "not yet, and here is why": the timeout message quotes the last one. */
export function notYet(detail: string): NotYet {
  return new NotYet(detail);
}

/**
 * Polls `check` until it returns something other than undefined, false or notYet(...), and
 * returns that. Tests, the demo and the checkers wait for conditions with a deadline, never
 * with a fixed sleep. On timeout the error includes the last value, notYet detail or error
 * seen, which is usually the clue.
 */
export async function waitFor<T>(
  check: () => T | NotYet | undefined | false | Promise<T | NotYet | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 25, description = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false && !(value instanceof NotYet)) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail =
        last instanceof Error
          ? last.message
          : last instanceof NotYet
            ? last.detail
            : JSON.stringify(last);
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description} (last: ${detail})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
