import { SECOND } from './time.ts';

export interface BackoffOptions {
  /** First delay. Default 100 ms. */
  initialMs?: number;
  /** Cap on any one delay. Default 10 s. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
}

/**
 * Exponential backoff with full jitter (a random delay in [0, cap]), so many instances
 * retrying the same dead dependency do not hammer it in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random = Math.random,
): number {
  const { initialMs = 100, maxMs = 10 * SECOND, factor = 2 } = options;
  const cap = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return Math.round(cap * (0.5 + random() / 2));
}
