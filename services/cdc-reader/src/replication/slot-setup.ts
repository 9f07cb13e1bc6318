import { ConfigError } from '@freshen/config';
import { FreshenError, type Logger } from '@freshen/runtime';
import type pg from 'pg';

export interface SlotSetupOptions {
  db: pg.Client;
  slot: string;
  publication: string;
  /** schema.table list for a new publication; empty = the publication must exist. */
  tables: readonly string[];
  logger: Logger;
}

/** SQLSTATE insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';
/**
 * The slot marker: a line in the publication's comment saying this slot was created once.
 * A slot that is missing although its marker exists was dropped underneath us; re-creating
 * it would silently skip every change made since, so that is fatal instead.
 */
const markerOf = (slot: string) => `freshen-cdc-reader slot ${slot}`;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteTable = (qualified: string) => qualified.split('.').map(quoteIdent).join('.');

function privilegeError(what: string, fix: string, cause: unknown): FreshenError {
  return new FreshenError(
    'PRIVILEGE_MISSING',
    `${what}: ${(cause as Error).message}. Fix: ${fix}`,
    { cause },
  );
}

/** Why the reader refuses to create a publication it was given no tables for. */
export function noTablesError(publication: string): ConfigError {
  return new ConfigError([
    `publication ${publication} does not exist and no tables are given for it: set RULES_MODULE (its tables are published) or PUBLICATION_TABLES=schema.table,... (cdc-reader never creates a publication FOR ALL TABLES)`,
  ]);
}

/**
 * Checks before streaming that the publication exists or can be created from `tables`, and
 * logs which tables it publishes. Throws ConfigError (exit 78) when it is missing and no
 * tables are given.
 */
export async function checkPublication(
  db: pg.Client,
  publication: string,
  tables: readonly string[],
  logger: Logger,
): Promise<void> {
  const existing = await db.query<{ all_tables: boolean; tables: string[] | null }>(
    `select p.puballtables as all_tables,
            (select array_agg(t.schemaname || '.' || t.tablename order by t.schemaname, t.tablename) from pg_publication_tables t where t.pubname = p.pubname) as tables
       from pg_publication p where p.pubname = $1`,
    [publication],
  );
  const row = existing.rows[0];
  if (!row) {
    if (tables.length === 0) throw noTablesError(publication);
    logger.info({ publication, tables }, 'publication absent; it will be created for these tables');
    return;
  }
  logger.info(
    { publication, tables: row.all_tables ? 'all (FOR ALL TABLES)' : (row.tables ?? []) },
    'using the existing publication as it is',
  );
}

/**
 * Makes sure the publication and the slot exist, creating them on first start. Returns the
 * slot's confirmed position. Throws SLOT_MISSING when the slot was dropped or invalidated
 * after having been created, PRIVILEGE_MISSING when the role may not do what is needed.
 */
export async function ensureSlot(options: SlotSetupOptions): Promise<string> {
  const { db, slot, publication, tables, logger } = options;
  const role = await db.query<{ rolname: string; rolreplication: boolean; rolsuper: boolean }>(
    'select rolname, rolreplication, rolsuper from pg_roles where rolname = current_user',
  );
  const me = role.rows[0];
  if (me && !me.rolreplication && !me.rolsuper) {
    throw new FreshenError(
      'PRIVILEGE_MISSING',
      `role ${me.rolname} may not use logical replication. Fix: ALTER ROLE ${quoteIdent(me.rolname)} REPLICATION`,
    );
  }

  const existing = await db.query<{ comment: string | null }>(
    `select obj_description(oid, 'pg_publication') as comment from pg_publication where pubname = $1`,
    [publication],
  );
  if (existing.rowCount === 0) {
    if (tables.length === 0) throw noTablesError(publication);
    const target = `FOR TABLE ${tables.map(quoteTable).join(', ')}`;
    try {
      await db.query(`CREATE PUBLICATION ${quoteIdent(publication)} ${target}`);
    } catch (error) {
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error;
      throw privilegeError(
        `cannot create publication ${publication} (${target})`,
        'the role must own those tables, or create the publication as their owner',
        error,
      );
    }
    logger.info({ publication, tables }, 'created publication');
  }
  const comment = existing.rows[0]?.comment ?? '';

  const found = await db.query<{
    plugin: string;
    database: string;
    wal_status: string | null;
    confirmed_flush_lsn: string | null;
  }>(
    'select plugin, database, wal_status, confirmed_flush_lsn from pg_replication_slots where slot_name = $1',
    [slot],
  );
  const row = found.rows[0];
  if (row) {
    if (row.plugin !== 'pgoutput') {
      throw new FreshenError(
        'SLOT_MISSING',
        `replication slot ${slot} uses plugin ${row.plugin}, not pgoutput. Fix: set SLOT_NAME to another slot name`,
      );
    }
    if (row.wal_status === 'lost' || row.confirmed_flush_lsn === null) {
      throw slotLost(slot);
    }
    if (!comment.includes(markerOf(slot))) await writeMarker(options, comment);
    return row.confirmed_flush_lsn;
  }
  if (comment.includes(markerOf(slot))) throw slotDropped(slot, publication);
  try {
    await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  } catch (error) {
    if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error;
    throw privilegeError(
      `cannot create replication slot ${slot}`,
      'ALTER ROLE <role> REPLICATION',
      error,
    );
  }
  logger.info({ slot }, 'created replication slot');
  await writeMarker(options, comment);
  const created = await db.query<{ lsn: string }>(
    'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
    [slot],
  );
  return created.rows[0]!.lsn;
}

async function writeMarker(options: SlotSetupOptions, comment: string): Promise<void> {
  const text = [comment, markerOf(options.slot)].filter(Boolean).join('\n');
  try {
    await options.db.query(
      `COMMENT ON PUBLICATION ${quoteIdent(options.publication)} IS '${text.replaceAll("'", "''")}'`,
    );
  } catch (error) {
    options.logger.warn(
      { err: error, slot: options.slot, publication: options.publication },
      `cannot record that slot ${options.slot} exists (the role does not own publication ${options.publication}); if the slot is dropped later it will be re-created without an error. Fix: ALTER PUBLICATION ${options.publication} OWNER TO <this role>`,
    );
  }
}

export function slotDropped(slot: string, publication: string): FreshenError {
  return new FreshenError(
    'SLOT_MISSING',
    `replication slot ${slot} was dropped after cdc-reader created it; changes made since its last confirmed position are lost to it, so it is not re-created silently. ` +
      `Fix: rebuild the caches fed by it (flush them), then remove the marker with COMMENT ON PUBLICATION ${publication} IS NULL and restart to create a fresh slot`,
  );
}

export function slotLost(slot: string): FreshenError {
  return new FreshenError(
    'SLOT_MISSING',
    `replication slot ${slot} was invalidated by Postgres (it retained more WAL than max_slot_wal_keep_size); changes are lost to it. ` +
      `Fix: rebuild the caches fed by it, drop the slot with SELECT pg_drop_replication_slot('${slot}'), remove the marker (COMMENT ON PUBLICATION ... IS NULL) and restart`,
  );
}
