import type pg from 'pg';

/**
 * Primary-key columns of tables whose replica identity does not give the event key (FULL
 * flags every column, NOTHING none; see needsPrimaryKeyLookup), read from the catalog, so that
 * one row's versions share a partition.
 */
export class PrimaryKeys {
  private readonly db: pg.Client;
  private readonly columns = new Map<number, readonly string[] | undefined>();

  constructor(db: pg.Client) {
    this.db = db;
  }

  known(relationOid: number): boolean {
    return this.columns.has(relationOid);
  }

  get(relationOid: number): readonly string[] | undefined {
    return this.columns.get(relationOid);
  }

  /** Loads the primary key of one relation (undefined if it has none). */
  async load(relationOid: number): Promise<void> {
    const result = await this.db.query<{ columns: string[] }>(
      `select array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum)) as columns
         from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = $1 and i.indisprimary`,
      [relationOid],
    );
    this.columns.set(relationOid, result.rows[0]?.columns ?? undefined);
  }
}
