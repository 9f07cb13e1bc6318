import type { Logger } from '@freshen/runtime';

/** The next offset to read of one partition: everything below it is done. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** Decimal int64. */
  offset: string;
}

/**
 * Commits offsets that the handler has finished with, off the fetch path: batches only
 * enqueue; at most one commit request is in flight, and everything enqueued meanwhile goes
 * out in the next one (one request per fetch cycle instead of one per partition batch, and
 * the next fetch never waits for it). An offset is only ever enqueued after its batch's side
 * effects were acknowledged, so a commit is never ahead of Redis. A commit that fails (the
 * group is rebalancing, Kafka blipped) is dropped: the next commit of the partition, or the
 * next owner re-applying from the last commit, covers it - at least once, never skipped.
 * `minIntervalMs` spaces commits out: under a steady trickle of one-event batches, a commit per
 * batch would be hundreds of __consumer_offsets appends per second competing with fetches on
 * the same broker connection; a crash then re-delivers at most that much more (harmless).
 */
export class OffsetCommitter {
  private readonly commit: (offsets: PartitionOffset[]) => Promise<void>;
  private readonly logger: Logger;
  private pending = new Map<string, PartitionOffset>();
  private inFlight: Promise<boolean> | undefined;
  private scheduled = false;
  private readonly minIntervalMs: number;
  private readonly retryMs: number;
  private readonly onOutcome: (error: unknown) => void;
  private lastStartedAt = -Infinity;
  /** After a failed commit, the next one waits until then (Kafka just said no). */
  private retryAfter = -Infinity;

  constructor(
    commit: (offsets: PartitionOffset[]) => Promise<void>,
    logger: Logger,
    options: {
      minIntervalMs?: number;
      /** Delay before a failed commit is tried again (if no newer one replaced it). Default 1 s. */
      retryMs?: number;
      /** Told after every commit: undefined when Kafka took it, else the error (health). */
      onOutcome?: (error: unknown) => void;
    } = {},
  ) {
    this.commit = commit;
    this.logger = logger;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.retryMs = options.retryMs ?? 1000;
    this.onOutcome = options.onOutcome ?? (() => {});
  }

  /** True while offsets wait to be committed (health: work pending). */
  get hasPending(): boolean {
    return this.pending.size > 0 || this.inFlight !== undefined;
  }

  /** Marks everything below `nextOffset` of the partition as done. */
  enqueue(topic: string, partition: number, nextOffset: string): void {
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset: nextOffset });
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate at the soonest: let the other partition batches of this fetch finish and
    // join this commit.
    const wait = this.untilAllowed();
    if (wait <= 0) setImmediate(() => void this.flushLoop());
    else setTimeout(() => void this.flushLoop(), wait).unref();
  }

  /** Sends what is pending now, ignoring the interval (the group is about to rebalance). */
  flushNow(): void {
    this.lastStartedAt = -Infinity;
    this.retryAfter = -Infinity;
    if (this.pending.size === 0 || this.inFlight) return;
    void this.flushOnce();
  }

  /**
   * Commits everything enqueued so far; resolves when Kafka answered (shutdown, tests). Gives
   * up after a failed commit instead of retrying for ever: shutting down with Kafka away must
   * not hang (the next owner re-applies from the last commit).
   */
  async drain(): Promise<void> {
    while (this.inFlight || this.pending.size > 0) {
      if (this.inFlight) await this.inFlight;
      else if (!(await this.flushOnce())) return;
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.inFlight) {
          await this.inFlight; // our own previous commit, or a drain(); then take what is left
        } else if (this.pending.size === 0) {
          return;
        } else {
          // Read once: a second reading a moment later can be negative, which Node warns about.
          const wait = this.untilAllowed();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
          else await this.flushOnce();
        }
      }
    } finally {
      this.scheduled = false;
    }
  }

  private untilAllowed(): number {
    return Math.max(this.lastStartedAt + this.minIntervalMs, this.retryAfter) - performance.now();
  }

  /** Resolves true when Kafka took the commit. */
  private flushOnce(): Promise<boolean> {
    this.lastStartedAt = performance.now();
    const offsets = [...this.pending.values()];
    this.pending = new Map();
    this.inFlight = this.commit(offsets)
      .then(
        () => {
          this.onOutcome(undefined);
          return true;
        },
        (error: unknown) => {
          this.logger.warn(
            { err: error, partitions: offsets.length },
            'offset commit failed; retrying unless a later commit or the next owner covers it',
          );
          this.onOutcome(error);
          // Put back what no newer offset replaced meanwhile, and try again a little later: an
          // idle partition would otherwise keep its last commit failed (and /readyz at 503).
          for (const entry of offsets) {
            const id = `${entry.topic}\u0000${entry.partition}`;
            if (!this.pending.has(id)) this.pending.set(id, entry);
          }
          this.retryAfter = performance.now() + this.retryMs;
          if (!this.scheduled) {
            this.scheduled = true;
            setTimeout(() => void this.flushLoop(), this.retryMs).unref();
          }
          return false;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
