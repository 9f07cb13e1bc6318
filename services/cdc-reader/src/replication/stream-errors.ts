import { FreshenError, isFreshenError } from '@freshen/runtime';

/** SQLSTATEs from Postgres's errcodes.txt. */
const UNDEFINED_OBJECT = '42704';
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';
const OBJECT_IN_USE = '55006';
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Turns what ended a replication connection into a FreshenError whose code says whether to
 * reconnect: a missing or invalidated slot is fatal, a slot still held by a dying walsender
 * or a lost connection is retried.
 */
export function classifyStreamError(error: unknown, slot: string): FreshenError {
  if (isFreshenError(error)) return error;
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  if (code === UNDEFINED_OBJECT && /replication slot/.test(message)) {
    return new FreshenError(
      'SLOT_MISSING',
      `replication slot ${slot} does not exist any more (dropped while cdc-reader was using it); changes since its last confirmed position are lost to it. ` +
        'Fix: rebuild the caches fed by it, then remove the slot marker (COMMENT ON PUBLICATION <publication> IS NULL) and restart to create a fresh slot',
      { cause: error },
    );
  }
  if (code === OBJECT_NOT_IN_PREREQUISITE_STATE && /replication slot|invalidated/.test(message)) {
    return new FreshenError(
      'SLOT_MISSING',
      `replication slot ${slot} cannot be used: ${message}. Fix: rebuild the caches, drop and re-create the slot`,
      { cause: error },
    );
  }
  if (code === INSUFFICIENT_PRIVILEGE) {
    return new FreshenError(
      'PRIVILEGE_MISSING',
      `cannot stream slot ${slot}: ${message}. Fix: ALTER ROLE <role> REPLICATION`,
      { cause: error },
    );
  }
  // Node socket errors (ECONNRESET, ECONNREFUSED, EPIPE...) come with a code of their own:
  // a restarting server resets connections, which must be retried, not fatal (issue 10).
  const retryable =
    code === OBJECT_IN_USE ||
    code === undefined ||
    /^(08|57|53300$)/.test(code) ||
    /^E[A-Z]+$/.test(code);
  return new FreshenError(
    'POSTGRES_UNAVAILABLE',
    `replication of slot ${slot} stopped: ${message}`,
    { cause: error, retryable },
  );
}
