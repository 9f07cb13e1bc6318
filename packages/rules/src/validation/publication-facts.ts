import type pg from 'pg';

export interface PublicationFacts {
  /** The name quoted for SQL where needed. */
  readonly sqlName: string;
  readonly exists: boolean;
  /** Operations the publication does not publish (insert, update, delete, truncate). */
  readonly unpublishedOps: readonly string[];
}

export async function readPublicationFacts(
  db: pg.ClientBase,
  publication: string,
): Promise<PublicationFacts> {
  const { rows } = await db.query<{ sql_name: string; ops: Record<string, boolean> | null }>(
    `select format('%I', $1::text) as sql_name,
       (select json_build_object('insert', pubinsert, 'update', pubupdate, 'delete', pubdelete, 'truncate', pubtruncate)
        from pg_publication where pubname = $1) as ops`,
    [publication],
  );
  const row = rows[0]!;
  return {
    sqlName: row.sql_name,
    exists: row.ops !== null,
    unpublishedOps: Object.entries(row.ops ?? {})
      .filter(([, published]) => !published)
      .map(([op]) => op),
  };
}

/**
 * Whether the publication includes the table, and which of its columns it publishes (a column
 * list, Postgres 15+); undefined when the table is not in the publication.
 */
export async function readPublishedColumns(
  db: pg.ClientBase,
  publication: string,
  schema: string,
  table: string,
): Promise<readonly string[] | 'all' | undefined> {
  const { rows } = await db.query<{ columns: string[] | null }>(
    // attnames exists from Postgres 15; on older servers every column is published.
    `select case when current_setting('server_version_num')::int >= 150000
         then (to_jsonb(p) -> 'attnames') end as columns
     from pg_publication_tables p where pubname = $1 and schemaname = $2 and tablename = $3`,
    [publication, schema, table],
  );
  if (rows.length === 0) return undefined;
  return rows[0]!.columns ?? 'all';
}
