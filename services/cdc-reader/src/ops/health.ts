import { SECOND, type HealthReport, type Logger } from '@freshen/runtime';
import type { ReaderMetrics } from './metrics.ts';
import { postgresProblemLine } from './postgres-problem.ts';

export type ReaderRole = 'starting' | 'standby' | 'streaming' | 'reconnecting' | 'stopped';
type Dependency = 'kafka' | 'postgres';

/** What readiness and liveness need to know about the current stream session. */
export interface SessionView {
  readonly inFlightEvents: number;
  readonly lastProgressAt: number;
  readonly publishFailure: Error | undefined;
  readonly paused: boolean;
}

/** While a dependency stays down, its error line is repeated at most this often. */
const REPEAT_ERROR_EVERY = 30 * SECOND;

/**
 * The truth behind /readyz and /healthz, and the error lines and gauges that say why.
 *
 * Ready: streaming or standby, Kafka answers (probe and produce), Postgres answers.
 * Live: not wedged (events in flight and no Kafka acknowledgement for WEDGED_AFTER_MS) and no
 * fatal error.
 */
export class ReaderHealth {
  private readonly down = new Map<Dependency, { since: number; loggedAt: number }>();
  private wedgedSince: number | undefined;
  private readonly metrics: ReaderMetrics;
  private readonly logger: Logger;
  private readonly wedgedAfterMs: number;
  private readonly brokers: string;
  private readonly database: string;

  constructor(options: {
    metrics: ReaderMetrics;
    logger: Logger;
    wedgedAfterMs: number;
    brokers: readonly string[];
    /** host:port of Postgres, for messages. */
    database?: string;
  }) {
    this.database = options.database ?? 'DATABASE_URL';
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.wedgedAfterMs = options.wedgedAfterMs;
    this.brokers = options.brokers.join(',');
    this.metrics.dependencyUp.set({ dependency: 'kafka' }, 0);
    this.metrics.dependencyUp.set({ dependency: 'postgres' }, 0);
    this.metrics.ready.set(0);
  }

  isUp(dependency: Dependency): boolean {
    return !this.down.has(dependency);
  }

  /** Records that a dependency answered (`error` undefined) or failed; logs changes (rate-limited). */
  report(dependency: Dependency, error?: Error): void {
    const now = Date.now();
    const state = this.down.get(dependency);
    if (error === undefined) {
      this.metrics.dependencyUp.set({ dependency }, 1);
      if (!state) return;
      this.down.delete(dependency);
      this.logger.info(
        { dependency, downForMs: now - state.since },
        `${dependency === 'kafka' ? 'Kafka' : 'Postgres'} answers again`,
      );
      return;
    }
    this.metrics.dependencyUp.set({ dependency }, 0);
    if (state && now - state.loggedAt < REPEAT_ERROR_EVERY) return;
    const since = state?.since ?? now;
    this.down.set(dependency, { since, loggedAt: now });
    if (dependency === 'kafka')
      this.logger.error(
        { err: error, brokers: this.brokers, downForMs: now - since },
        `Kafka at ${this.brokers} does not answer; not ready, retrying with backoff. Check KAFKA_BROKERS and that the brokers are up`,
      );
    else
      this.logger.error(
        { err: error, downForMs: now - since },
        postgresProblemLine(error, this.database) ??
          'Postgres does not answer; not ready, reconnecting with backoff',
      );
  }

  ready(role: ReaderRole, session: SessionView | undefined): HealthReport {
    const failing = role === 'streaming' ? session?.publishFailure : undefined;
    const ok =
      (role === 'streaming' || role === 'standby') &&
      this.isUp('kafka') &&
      this.isUp('postgres') &&
      failing === undefined;
    this.metrics.ready.set(ok ? 1 : 0);
    return {
      ok,
      details: {
        role,
        kafka: this.isUp('kafka') ? 'up' : 'down',
        postgres: this.isUp('postgres') ? 'up' : 'down',
        publishing: failing ? `failing: ${failing.message}` : 'ok',
        paused: session?.paused ?? false,
      },
    };
  }

  /** Liveness; also called periodically so the gauge and the error line do not wait for a probe. */
  health(session: SessionView | undefined, fatal: Error | undefined): HealthReport {
    const now = Date.now();
    const stuckForMs =
      session && session.inFlightEvents > 0 ? now - session.lastProgressAt : undefined;
    const wedged = stuckForMs !== undefined && stuckForMs > this.wedgedAfterMs;
    if (wedged && this.wedgedSince === undefined) {
      this.wedgedSince = now;
      this.logger.error(
        {
          inFlightEvents: session!.inFlightEvents,
          stuckForMs,
          wedgedAfterMs: this.wedgedAfterMs,
          reason: session!.publishFailure?.message,
        },
        'wedged: events are in flight and Kafka has acknowledged nothing for longer than WEDGED_AFTER_MS; /healthz is 503 so that the process is restarted',
      );
    } else if (!wedged && this.wedgedSince !== undefined) {
      this.wedgedSince = undefined;
      this.logger.info('no longer wedged: Kafka acknowledges again');
    }
    this.metrics.wedged.set(wedged ? 1 : 0);
    return {
      ok: fatal === undefined && !wedged,
      details: {
        ...(fatal ? { error: fatal.message } : {}),
        ...(wedged ? { wedged: `no Kafka acknowledgement for ${stuckForMs} ms` } : {}),
      },
    };
  }
}
