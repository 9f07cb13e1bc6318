import type pg from 'pg';

/** What validation needs to know about one table, read from the catalog in one query. */
export interface TableFacts {
  /** `schema.table` quoted for SQL where needed (format('%I.%I')). */
  readonly sqlName: string;
  readonly exists: boolean;
  /** pg_class.relreplident: d default (primary key), n nothing, f full, i index. */
  readonly replicaIdentity: 'd' | 'n' | 'f' | 'i' | undefined;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** Columns of the REPLICA IDENTITY USING INDEX index. */
  readonly identityIndex: readonly string[];
}

const TABLE_FACTS_SQL = `
with target as (
  select c.oid, c.relreplident
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')
)
select
  format('%I.%I', $1::text, $2::text) as sql_name,
  exists (select 1 from target) as exists,
  (select relreplident::text from target) as replica_identity,
  coalesce((select array_agg(a.attname::text order by a.attnum) from target t
    join pg_attribute a on a.attrelid = t.oid where a.attnum > 0 and not a.attisdropped), '{}') as columns,
  coalesce((select array_agg(a.attname::text order by a.attnum) from target t
    join pg_index i on i.indrelid = t.oid and i.indisprimary
    join pg_attribute a on a.attrelid = t.oid and a.attnum = any (i.indkey)), '{}') as primary_key,
  coalesce((select array_agg(a.attname::text order by a.attnum) from target t
    join pg_index i on i.indrelid = t.oid and i.indisreplident
    join pg_attribute a on a.attrelid = t.oid and a.attnum = any (i.indkey)), '{}') as identity_index`;

export async function readTableFacts(
  db: pg.ClientBase,
  schema: string,
  table: string,
): Promise<TableFacts> {
  const { rows } = await db.query<{
    sql_name: string;
    exists: boolean;
    replica_identity: TableFacts['replicaIdentity'] | null;
    columns: string[];
    primary_key: string[];
    identity_index: string[];
  }>(TABLE_FACTS_SQL, [schema, table]);
  const row = rows[0]!;
  return {
    sqlName: row.sql_name,
    exists: row.exists,
    replicaIdentity: row.replica_identity ?? undefined,
    columns: row.columns,
    primaryKey: row.primary_key,
    identityIndex: row.identity_index,
  };
}

/** The columns Postgres sends in the old row of an update or delete. */
export function identityColumns(facts: TableFacts): readonly string[] {
  switch (facts.replicaIdentity) {
    case 'f':
      return facts.columns;
    case 'i':
      return facts.identityIndex;
    case 'd':
      return facts.primaryKey;
    default:
      return [];
  }
}
