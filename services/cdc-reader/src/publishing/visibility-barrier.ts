import { backoffDelay, sleep, type Logger } from '@freshen/runtime';

/** Runs `select pg_current_snapshot()::text` on an ordinary connection to the primary. */
export type SnapshotQuery = () => Promise<string>;

/** Polls 1 ms doubling to 100 ms: the usual wait is microseconds, a stuck one is reported. */
const POLL_BACKOFF = { initialMs: 1, maxMs: 100 };
/** A transaction invisible this long is logged (once per wait) as the reason publishing stalls. */
const REPORT_AFTER_MS = 5_000;

/**
 * `xmin:xmax:xip,...` of pg_current_snapshot(), as 32-bit transaction ids. Every id before
 * xmin has finished; xmax is one past the newest finished id (not the next to be assigned), so
 * a transaction is visible when it precedes xmax and is not in the in-progress list.
 */
interface Snapshot {
  xmin: number;
  xmax: number;
  inProgress: Set<number>;
}

function xid32(text: string): number {
  return Number(BigInt(text) & 0xffffffffn);
}

export function parseSnapshot(text: string): Snapshot {
  const [xmin, xmax, xip = ''] = text.split(':');
  if (xmin === undefined || xmax === undefined)
    throw new Error(`unexpected pg_current_snapshot() value '${text}'`);
  return {
    xmin: xid32(xmin),
    xmax: xid32(xmax),
    inProgress: new Set(xip.split(',').filter(Boolean).map(xid32)),
  };
}

/** Postgres's TransactionIdPrecedes for normal ids: modulo-2^32 comparison. */
function precedes(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

function visibleIn(snapshot: Snapshot, xid: number): boolean {
  return precedes(xid, snapshot.xmax) && !snapshot.inProgress.has(xid);
}

/**
 * Holds a batch back until every transaction in it is visible to new snapshots on the primary.
 *
 * Why: Postgres writes and flushes a commit record (which logical decoding then streams) before
 * it removes the transaction from the running set that snapshots read. In that window, which
 * lasts as long as the committing backend is descheduled or waits for a synchronous standby,
 * the change is in the slot but a new query still sees the old row. Were its invalidation
 * applied then, a cache reader that missed would load the old row, take a fresh lease and
 * fill it: stale until the TTL. Publishing only visible transactions closes that window: any
 * load that starts after the invalidation sees the change.
 *
 * Cheap: one snapshot query per batch at most, none when every transaction of the batch
 * precedes the last snapshot's xmin (a backlog after one query).
 */
export class VisibilityBarrier {
  private readonly query: SnapshotQuery;
  private readonly logger: Logger;
  /** Every transaction before this one had finished when a snapshot was taken. */
  private visibleBefore: number | undefined;

  constructor(query: SnapshotQuery, logger: Logger) {
    this.query = query;
    this.logger = logger;
  }

  /** Resolves when each of `xids` (committed, from the slot) is visible; rejects on abort. */
  async waitUntilVisible(xids: Iterable<number>, signal: AbortSignal): Promise<void> {
    let waiting = this.notKnownVisible(xids);
    const started = Date.now();
    let reported = false;
    for (let attempt = 0; waiting.length > 0; attempt++) {
      const snapshot = parseSnapshot(await this.query());
      if (this.visibleBefore === undefined || precedes(this.visibleBefore, snapshot.xmin)) {
        this.visibleBefore = snapshot.xmin;
      }
      waiting = waiting.filter((xid) => !visibleIn(snapshot, xid));
      if (waiting.length === 0) return;
      if (!reported && Date.now() - started >= REPORT_AFTER_MS) {
        reported = true;
        this.logger.warn(
          { xids: waiting.slice(0, 5), waitedMs: Date.now() - started },
          'committed transactions are not visible to queries yet (is synchronous replication waiting for a standby?); publishing waits for them so that no invalidation runs ahead of the data',
        );
      }
      await sleep(backoffDelay(attempt, POLL_BACKOFF), signal);
    }
  }

  private notKnownVisible(xids: Iterable<number>): number[] {
    const before = this.visibleBefore;
    const unknown = new Set<number>();
    for (const xid of xids) if (before === undefined || !precedes(xid, before)) unknown.add(xid);
    return [...unknown];
  }
}
