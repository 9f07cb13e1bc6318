import { SECOND, type HealthReport, type Logger } from '@freshen/runtime';
import type { InvalidatorMetrics } from './metrics.ts';

/**
 * What can keep the invalidator from doing its job; each one makes /readyz 503 while it lasts.
 * - `kafka`: cannot fetch (not connected yet, broker unreachable, consumer restarting);
 * - `redis`: Redis does not acknowledge work (unreachable, or refusing us: WRONGPASS, NOPERM...);
 * - `commit`: Kafka refuses offset commits;
 * - `dead_letter`: a message can be neither applied nor dead-lettered: its partition is held.
 */
export const HEALTH_CONDITIONS = ['kafka', 'redis', 'commit', 'dead_letter'] as const;
export type HealthCondition = (typeof HEALTH_CONDITIONS)[number];

export interface HealthOptions {
  logger: Logger;
  metrics: InvalidatorMetrics;
  /** Work pending and no progress for this long: /healthz 503 (restart me). */
  wedgedAfterMs: number;
  /** No fetch round-trip for this long while no batch is being handled: Kafka counts as down. Default 3 s. */
  fetchStallMs?: number;
  /** True while offsets wait to be committed. */
  hasPendingCommits?: () => boolean;
  now?: () => number;
}

interface Problem {
  reason: string;
  since: number;
  /** The reason names the cause (a refusal), not only the symptom. */
  cause: boolean;
}

/**
 * The invalidator's health, from what its parts report (fetches, batches, commits, Redis
 * errors). Every change of state is logged once - at error level when the invalidator stops
 * being able to work, at info when it recovers - and mirrored in the
 * `freshen_invalidator_unready{condition}` and `freshen_invalidator_wedged` gauges.
 */
export class InvalidatorHealth {
  private readonly options: HealthOptions;
  private readonly now: () => number;
  private readonly problems = new Map<HealthCondition, Problem>();
  private inFlight = 0;
  private lastFetchAt: number | undefined;
  private lastProgressAt: number;
  private pendingSince: number | undefined;
  private wedged = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: HealthOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.lastProgressAt = this.now();
    for (const condition of HEALTH_CONDITIONS) options.metrics.unready.set({ condition }, 0);
    options.metrics.wedged.set(0);
  }

  /** Re-evaluates fetch stalls and wedging twice a second, so logs and metrics move without /readyz polls. */
  start(): void {
    this.timer = setInterval(() => this.evaluate(), SECOND / 2);
    this.timer.unref();
  }

  /** Stops reporting (a closing service's own disconnects are not outages). Idempotent. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /**
   * Marks a condition as failing. Logs at error level when it starts failing, and once more if
   * `cause` is set and the symptom logged first did not name it yet.
   */
  fail(
    condition: HealthCondition,
    reason: string,
    context: Record<string, unknown> = {},
    options: { cause?: boolean } = {},
  ): void {
    if (this.closed) return;
    const current = this.problems.get(condition);
    if (current) {
      // Already failing: keep the reason current for /readyz, but one error line per outage -
      // unless this reason is the newly found cause (a refusal found after "connection lost").
      const found = options.cause === true && current.reason !== reason && !current.cause;
      current.reason = reason;
      if (!found) return;
      current.cause = true;
      this.options.logger.error({ ...context, condition }, `not ready: ${reason}`);
      return;
    }
    this.problems.set(condition, { reason, since: this.now(), cause: options.cause === true });
    this.options.metrics.unready.set({ condition }, 1);
    this.options.logger.error({ ...context, condition }, `not ready: ${reason}`);
  }

  /** Clears a condition; logs at info how long it lasted. */
  recover(condition: HealthCondition, message?: string): void {
    const current = this.problems.get(condition);
    if (!current) return;
    this.problems.delete(condition);
    this.options.metrics.unready.set({ condition }, 0);
    this.options.logger.info(
      { condition, downMs: this.now() - current.since },
      message ?? `${condition} recovered`,
    );
  }

  isFailing(condition: HealthCondition): boolean {
    return this.problems.has(condition);
  }

  fetched(): void {
    this.lastFetchAt = this.now();
    this.recover('kafka', 'Kafka serves fetches again');
  }

  batchStarted(): void {
    this.inFlight++;
    this.pendingSince ??= this.now();
  }

  batchEnded(progressed: boolean): void {
    this.inFlight--;
    if (progressed) this.progressed();
  }

  /** Something moved forward: a batch applied, an offset committed. */
  progressed(): void {
    this.lastProgressAt = this.now();
  }

  /** Updates the fetch-stall and wedged states from the clock. */
  evaluate(): void {
    if (this.closed) return;
    const now = this.now();
    const stall = this.options.fetchStallMs ?? 3 * SECOND;
    if (
      this.lastFetchAt !== undefined &&
      this.inFlight === 0 &&
      now - this.lastFetchAt > stall &&
      !this.problems.has('kafka')
    ) {
      this.fail('kafka', `no fetch from Kafka for more than ${stall} ms`);
    }
    const pending = this.inFlight > 0 || (this.options.hasPendingCommits?.() ?? false);
    if (!pending) {
      this.pendingSince = undefined;
    } else {
      this.pendingSince ??= now;
    }
    const stuckSince = Math.max(this.lastProgressAt, this.pendingSince ?? now);
    const wedged = pending && now - stuckSince > this.options.wedgedAfterMs;
    if (wedged !== this.wedged) {
      this.wedged = wedged;
      this.options.metrics.wedged.set(wedged ? 1 : 0);
      if (wedged) {
        this.options.logger.error(
          { stuckMs: now - stuckSince, inFlight: this.inFlight, problems: this.reasons() },
          `wedged: work pending and no progress for more than ${this.options.wedgedAfterMs} ms; /healthz fails so that the process is restarted`,
        );
      } else {
        this.options.logger.info('making progress again; /healthz passes');
      }
    }
  }

  private reasons(): Record<string, string> {
    return Object.fromEntries(
      [...this.problems].map(([condition, { reason }]) => [condition, reason]),
    );
  }

  readiness(extra: Record<string, unknown> = {}): HealthReport {
    this.evaluate();
    const ok = !this.closed && this.problems.size === 0;
    return {
      ok,
      details: { ...extra, ...this.reasons(), ...(this.closed && { state: 'closed' }) },
    };
  }

  liveness(): HealthReport {
    this.evaluate();
    const ok = !this.closed && !this.wedged;
    return {
      ok,
      details: this.wedged
        ? {
            wedged: `no progress for more than ${this.options.wedgedAfterMs} ms`,
            ...this.reasons(),
          }
        : { state: this.closed ? 'closed' : 'live' },
    };
  }
}
