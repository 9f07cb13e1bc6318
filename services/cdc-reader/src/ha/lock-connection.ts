import { redactUrl } from '@freshen/config';
import { FreshenError, isFreshenError, type Logger } from '@freshen/runtime';
import pg from 'pg';

/**
 * SQLSTATE classes (Postgres errcodes.txt) that no reconnect can fix: 28 invalid
 * authorization, 3D invalid catalog name (no such database), 42 syntax or access rule.
 */
const PERMANENT_CLASSES = /^(28|3D|42)/;

/**
 * Whether a Postgres failure is worth reconnecting for: a refused or dropped connection, a
 * server starting up or shutting down (57P..), too many connections (53300). Wrong
 * credentials, a missing database or a missing privilege are not.
 */
export function isTransientPostgresError(error: unknown): boolean {
  if (isFreshenError(error)) return error.retryable;
  // ConfigError and other errors that say so themselves.
  const retryable = (error as { retryable?: unknown }).retryable;
  if (typeof retryable === 'boolean') return retryable;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  // Node socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENOTFOUND...).
  if (code.startsWith('E')) return true;
  return !PERMANENT_CLASSES.test(code);
}

/**
 * Opens the connection that holds the slot's advisory lock (and runs the reader's catalog
 * queries). Rejects with POSTGRES_UNAVAILABLE: retryable when the server is unreachable or
 * restarting, not when the credentials or the database are wrong.
 */
export async function openLockConnection(
  databaseUrl: string,
  slot: string,
  logger: Logger,
): Promise<pg.Client> {
  const db = new pg.Client({
    connectionString: databaseUrl,
    application_name: `freshen-cdc-reader-lock:${slot}`,
  });
  // A restart or failover drops the connection: 'end' follows, which the reader handles.
  db.on('error', (error) => logger.warn({ err: error }, 'lock connection error'));
  try {
    await db.connect();
    return db;
  } catch (error) {
    await db.end().catch(() => {});
    const transient = isTransientPostgresError(error);
    throw new FreshenError(
      'POSTGRES_UNAVAILABLE',
      `cannot connect to Postgres at ${redactUrl(databaseUrl)}: ${(error as Error).message}.${transient ? '' : ' Check DATABASE_URL.'}`,
      { cause: error, retryable: transient },
    );
  }
}
