import { LOCK_NAMESPACE } from '@freshen/cdc-reader/slot-lock';
import type pg from 'pg';

/** One replication slot as `freshen status` shows it. */
export interface SlotStatus {
  slot: string;
  /** False when no such slot exists (dropped, or never created). */
  exists: boolean;
  active: boolean;
  /** Backend pid of the walsender streaming it. */
  activePid: number | null;
  confirmedFlushLsn: string | null;
  /** WAL written but not yet confirmed by the reader. */
  lagBytes: number | null;
  /** The walsender's replay lag (time since the newest WAL it has confirmed was written), s. */
  lagSeconds: number | null;
  /** WAL Postgres keeps for this slot (current position - restart_lsn). */
  walRetainedBytes: number | null;
  /** reserved, extended, unreserved or lost (pg_replication_slots.wal_status). */
  walStatus: string | null;
  /** When the slot stopped being streamed (Postgres 17+; null before). */
  inactiveSince: string | null;
  /** cdc-reader processes on this slot: the one holding its advisory lock streams. */
  readers: { active: number; standby: number };
}

/**
 * Reads a slot's state, and counts its readers: each cdc-reader keeps one connection named
 * `freshen-cdc-reader-lock:<slot>` (services/cdc-reader/src/ha/lock-connection.ts); the one
 * whose backend holds the slot's advisory lock (slot-lock.ts) streams, the others wait.
 * `to_jsonb(s)` reads inactive_since where it exists without failing on Postgres < 17.
 */
export async function readSlotStatus(db: pg.Client, slot: string): Promise<SlotStatus> {
  const slots = await db.query<{
    active: boolean;
    active_pid: number | null;
    confirmed_flush_lsn: string | null;
    lag_bytes: string | null;
    wal_retained: string | null;
    wal_status: string | null;
    inactive_since: string | null;
    lag_seconds: number | null;
  }>(
    `select s.active, s.active_pid, s.confirmed_flush_lsn::text,
            pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::text as lag_bytes,
            pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::text as wal_retained,
            s.wal_status, to_jsonb(s) ->> 'inactive_since' as inactive_since,
            extract(epoch from r.replay_lag)::float8 as lag_seconds
       from pg_replication_slots s
       left join pg_stat_replication r on r.pid = s.active_pid
      where s.slot_name = $1`,
    [slot],
  );
  const readers = await db.query<{ holders: string; total: string }>(
    `select count(*) filter (where l.pid is not null)::text as holders, count(*)::text as total
       from pg_stat_activity a
       left join pg_locks l on l.pid = a.pid and l.locktype = 'advisory' and l.granted
            and l.classid = $1::oid and l.objid = (hashtext($2)::bigint & 4294967295)::oid
            and l.objsubid = 2
      where a.application_name = 'freshen-cdc-reader-lock:' || $2`,
    [LOCK_NAMESPACE, slot],
  );
  const holders = Number(readers.rows[0]?.holders ?? 0);
  const total = Number(readers.rows[0]?.total ?? 0);
  const row = slots.rows[0];
  const number = (text: string | null | undefined) =>
    text === null || text === undefined ? null : Number(text);
  return {
    slot,
    exists: row !== undefined,
    active: row?.active ?? false,
    activePid: row?.active_pid ?? null,
    confirmedFlushLsn: row?.confirmed_flush_lsn ?? null,
    lagBytes: number(row?.lag_bytes),
    lagSeconds: row?.lag_seconds ?? null,
    walRetainedBytes: number(row?.wal_retained),
    walStatus: row?.wal_status ?? null,
    inactiveSince: row?.inactive_since ?? null,
    readers: { active: holders, standby: total - holders },
  };
}
