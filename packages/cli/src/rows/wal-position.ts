import { SECOND, sleep } from '@freshen/runtime';
import type pg from 'pg';

/** How long to wait for transactions open at the position to end, by default. */
export const DEFAULT_SETTLE_MS = 10 * SECOND;

export interface WalPosition {
  /** pg_current_wal_lsn() as text, e.g. `0/16B3748`. */
  lsn: string;
  /**
   * False when a transaction open at the position was still open after the wait: if it was
   * one caught committing, the rows read next miss its change while being versioned above it.
   */
  settled: boolean;
}

/**
 * A WAL position such that a query run after this resolves sees every transaction whose
 * commit LSN is below it. pg_current_wal_lsn() alone is no such bound: a transaction becomes
 * visible only after its commit record is written (and flushed, and with synchronous
 * replication confirmed), so a query can miss one whose commit LSN is below the position read
 * (docs/architecture.md, "Backfill"). Any such transaction still holds the lock on its own
 * transaction id, which Postgres releases only after making it visible, so this waits until
 * none of the transaction-id locks held just after the position is held any more (pg_locks,
 * readable by any user; a snapshot's xip would not do: it omits transactions at or above
 * its xmax), for at most `maxWaitMs` (a long transaction open for other reasons would otherwise
 * hold the backfill forever). Transactions it gave up on are added to `outlasted` and not
 * waited for again: one still committing after that long is a stalled synchronous replica.
 */
export async function settledWalPosition(
  db: pg.Client,
  outlasted: Set<string>,
  maxWaitMs = DEFAULT_SETTLE_MS,
): Promise<WalPosition> {
  const position = await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  // As JSON text: the backfill's client parses no types (READER_LIKE_CLIENT).
  const open = await db.query<{ xids: string }>(
    `select coalesce(json_agg(transactionid::text), '[]')::text as xids from pg_locks
      where locktype = 'transactionid' and mode = 'ExclusiveLock' and granted`,
  );
  const lsn = position.rows[0]!.lsn;
  let xids = (JSON.parse(open.rows[0]!.xids) as string[]).filter((xid) => !outlasted.has(xid));
  const deadline = Date.now() + maxWaitMs;
  let pause = 1;
  while (xids.length > 0) {
    const still = await db.query<{ xids: string }>(
      `select coalesce(json_agg(transactionid::text), '[]')::text as xids from pg_locks
        where locktype = 'transactionid' and mode = 'ExclusiveLock' and granted
          and transactionid::text = any($1::text[])`,
      [`{${xids.join(',')}}`],
    );
    xids = JSON.parse(still.rows[0]!.xids) as string[];
    if (xids.length === 0) break;
    if (Date.now() >= deadline) {
      for (const xid of xids) outlasted.add(xid);
      return { lsn, settled: false };
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 100);
  }
  return { lsn, settled: true };
}
