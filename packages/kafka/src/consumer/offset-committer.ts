import type { Logger } from '@freshen/runtime';
import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';

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
  private readonly commit: (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>;
  private readonly logger: Logger;
  private pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private readonly minIntervalMs: number;
  private lastStartedAt = -Infinity;

  constructor(
    commit: (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>,
    logger: Logger,
    options: { minIntervalMs?: number } = {},
  ) {
    this.commit = commit;
    this.logger = logger;
    this.minIntervalMs = options.minIntervalMs ?? 0;
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
    if (this.pending.size === 0 || this.inFlight) return;
    void this.flushOnce();
  }

  /** Commits everything enqueued so far; resolves when Kafka answered (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight || this.pending.size > 0) {
      if (this.inFlight) await this.inFlight;
      else await this.flushOnce();
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.inFlight) {
          await this.inFlight; // our own previous commit, or a drain(); then take what is left
        } else if (this.pending.size === 0) {
          return;
        } else if (this.untilAllowed() > 0) {
          await new Promise((resolve) => setTimeout(resolve, this.untilAllowed()).unref());
        } else {
          await this.flushOnce();
        }
      }
    } finally {
      this.scheduled = false;
    }
  }

  private untilAllowed(): number {
    return this.lastStartedAt + this.minIntervalMs - performance.now();
  }

  private flushOnce(): Promise<void> {
    this.lastStartedAt = performance.now();
    const offsets = [...this.pending.values()];
    this.pending = new Map();
    this.inFlight = this.commit(offsets)
      .catch((error: unknown) => {
        this.logger.warn(
          { err: error, partitions: offsets.length },
          'offset commit failed; a later commit or the next owner covers it',
        );
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
