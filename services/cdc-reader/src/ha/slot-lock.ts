import { sleep } from '@freshen/runtime';
import type pg from 'pg';

/**
 * Advisory lock namespace for cdc-reader (first key of pg_try_advisory_lock(int, int));
 * the second is hashtext(slot name). "fresh" in ASCII, truncated to a signed int4.
 */
export const LOCK_NAMESPACE = 0x66726573;

/**
 * One reader per slot: the holder of a session-level advisory lock keyed by the slot name
 * streams; the others poll. The lock lives as long as the holder's connection, so when the
 * active reader dies (even kill -9) Postgres releases it and a standby takes over.
 */
export async function tryLockSlot(db: pg.Client, slot: string): Promise<boolean> {
  const result = await db.query<{ locked: boolean }>(
    'select pg_try_advisory_lock($1, hashtext($2)) as locked',
    [LOCK_NAMESPACE, slot],
  );
  return result.rows[0]?.locked === true;
}

/** Polls until the lock is ours (true) or `signal` aborts (false). */
export async function waitForSlotLock(
  db: pg.Client,
  slot: string,
  pollMs: number,
  signal: AbortSignal,
  onWaiting: () => void,
): Promise<boolean> {
  let first = true;
  while (!signal.aborted) {
    if (await tryLockSlot(db, slot)) return true;
    if (first) onWaiting();
    first = false;
    try {
      await sleep(pollMs, signal);
    } catch {
      return false;
    }
  }
  return false;
}
