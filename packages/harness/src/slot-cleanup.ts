import { SECOND, waitFor } from '@freshen/runtime';
import type pg from 'pg';

/**
 * Drops a replication slot (terminating its walsender first, if any) and the publication of the
 * same name, if they exist. Safe to register as cleanup for slots a test creates.
 */
export async function dropSlotAndPublication(db: pg.Client, name: string): Promise<void> {
  // A walsender that was just terminated, or a reader that reconnected, can still hold the
  // slot for a moment: terminate and drop again until the drop goes through.
  await waitFor(
    async () => {
      await db.query(
        'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null',
        [name],
      );
      await db.query(
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
        [name],
      );
      return true;
    },
    { timeoutMs: 10 * SECOND, intervalMs: 100, description: `slot ${name} to drop` },
  );
  await db.query(`drop publication if exists ${name}`);
}
