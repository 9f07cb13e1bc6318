import type { Row } from '@freshen/change-event';
import { FreshenError } from '@freshen/runtime';
import type pg from 'pg';
import { settledWalPosition, type WalPosition } from './wal-position.ts';

/**
 * Session settings under which Postgres prints values exactly as the cdc-reader's replication
 * session does (services/cdc-reader/src/replication/replication-stream.ts), so that a row read
 * here evaluates to the same keys as its change event would.
 */
export const READER_SESSION_OPTIONS =
  '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3';

// Type OIDs from pg_type.dat: the types the reader turns into JavaScript values
// (services/cdc-reader/src/decoding/value-parsers.ts); everything else stays text.
const INT2 = 21;
const INT4 = 23;
const OID = 26;
const BOOL = 16;

/** Values in their text form (no pg parsing), converted as the reader converts them. */
const TEXT_TYPES = { getTypeParser: () => (text: string) => text };

/** Client settings under which rows come out as change events carry them (see toWireRow). */
export const READER_LIKE_CLIENT = { options: READER_SESSION_OPTIONS, types: TEXT_TYPES };

function toWireRow(row: Record<string, unknown>, fields: readonly pg.FieldDef[]): Row {
  const wire: Row = {};
  for (const field of fields) {
    const value = row[field.name];
    if (value === null || value === undefined) wire[field.name] = null;
    else if (field.dataTypeID === INT2 || field.dataTypeID === INT4 || field.dataTypeID === OID)
      wire[field.name] = Number(value);
    else if (field.dataTypeID === BOOL) wire[field.name] = value === 't' || value === true;
    else wire[field.name] = value;
  }
  return wire;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A table named `schema.table` (or `table`, in public), with its primary-key columns. */
export class TableRows {
  readonly schema: string;
  readonly table: string;
  readonly keyColumns: readonly string[];
  private readonly db: pg.Client;
  /** Transactions walPosition stopped waiting for. */
  private readonly outlasted = new Set<string>();

  private constructor(db: pg.Client, schema: string, table: string, keyColumns: string[]) {
    this.db = db;
    this.schema = schema;
    this.table = table;
    this.keyColumns = keyColumns;
  }

  static async open(db: pg.Client, name: string): Promise<TableRows> {
    const [schema, table] = name.includes('.') ? name.split('.', 2) : ['public', name];
    const result = await db
      .query<{ column: string }>(
        `select a.attname as column
         from pg_index i
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass and i.indisprimary
        order by array_position(i.indkey, a.attnum)`,
        [schema, table],
      )
      .catch((error: unknown) => {
        throw new FreshenError(
          'SCHEMA_MISMATCH',
          `no table ${schema}.${table} (${(error as Error).message}); name it as schema.table`,
        );
      });
    if (result.rows.length === 0)
      throw new FreshenError(
        'SCHEMA_MISMATCH',
        `${schema}.${table} has no primary key; freshen reads rows by primary key`,
      );
    return new TableRows(
      db,
      schema!,
      table!,
      result.rows.map((row) => row.column),
    );
  }

  get qualified(): string {
    return `${quote(this.schema)}.${quote(this.table)}`;
  }

  /** The row with this primary key, as its change event would carry it; undefined if none. */
  async byKey(key: Row): Promise<{ key: Row; row: Row } | undefined> {
    const missing = this.keyColumns.filter((column) => !(column in key));
    if (missing.length > 0)
      throw new FreshenError(
        'SCHEMA_MISMATCH',
        `the key lacks ${missing.join(', ')}: the primary key of ${this.schema}.${this.table} is (${this.keyColumns.join(', ')})`,
      );
    const where = this.keyColumns.map((column, index) => `${quote(column)} = $${index + 1}`);
    const result = await this.db.query(
      `select * from ${this.qualified} where ${where.join(' and ')}`,
      this.keyColumns.map((column) => String(key[column])),
    );
    const found = result.rows[0] as Record<string, unknown> | undefined;
    if (!found) return undefined;
    const row = toWireRow(found, result.fields);
    return { key: this.keyOf(row), row };
  }

  /** A WAL position every query run after it sees every commit below: settledWalPosition. */
  walPosition(): Promise<WalPosition> {
    return settledWalPosition(this.db, this.outlasted);
  }

  /** Rows in primary-key order after `after` (exclusive), `limit` at a time, filtered by `where` (SQL). */
  async batchAfter(
    after: readonly string[] | undefined,
    limit: number,
    where: string | undefined,
  ): Promise<{ key: Row; row: Row; position: string[] }[]> {
    const { conditions, parameters } = this.filter(where, after);
    const result = await this.db.query(
      `select *, ${this.keyColumns.map((column, index) => `${quote(column)}::text as "__freshen_key_${index}"`).join(', ')}
         from ${this.qualified} ${conditions}
        order by ${this.keyColumns.map(quote).join(', ')} limit ${limit}`,
      parameters,
    );
    const fields = result.fields.filter((field) => !field.name.startsWith('__freshen_key_'));
    return (result.rows as Record<string, unknown>[]).map((found) => {
      const row = toWireRow(found, fields);
      return {
        key: this.keyOf(row),
        row,
        position: this.keyColumns.map((_, index) => String(found[`__freshen_key_${index}`])),
      };
    });
  }

  /** Rows matching `where` (all when undefined) after `after`, for the progress bar's total. */
  async count(where: string | undefined, after: readonly string[] | undefined): Promise<number> {
    const { conditions, parameters } = this.filter(where, after);
    const result = await this.db.query<{ n: string }>(
      `select count(*)::text as n from ${this.qualified} ${conditions}`,
      parameters,
    );
    return Number(result.rows[0]!.n);
  }

  /** The WHERE clause of `where` and "key after `after`" (keyset pagination), with its parameters. */
  private filter(
    where: string | undefined,
    after: readonly string[] | undefined,
  ): { conditions: string; parameters: string[] } {
    const conditions: string[] = [];
    if (where) conditions.push(`(${where})`);
    if (after)
      conditions.push(
        `(${this.keyColumns.map(quote).join(', ')}) > (${this.keyColumns.map((_, index) => `$${index + 1}`).join(', ')})`,
      );
    return {
      conditions: conditions.length > 0 ? `where ${conditions.join(' and ')}` : '',
      parameters: after ? [...after] : [],
    };
  }

  private keyOf(row: Row): Row {
    return Object.fromEntries(this.keyColumns.map((column) => [column, row[column]]));
  }
}
