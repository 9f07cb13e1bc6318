// A warm plan for `npm run cache:warm -- services/example-api/src/warm-plan.ts`: every user
// profile and product of the example schema, loaded exactly as the API loads them.
import type { WarmEntry, WarmPlan } from '@freshen/cache';
import { createExampleKeys, ExampleStore, PG_SESSION_OPTIONS } from '@freshen/example';
import pg from 'pg';
import { readApiConfig, type ApiConfig } from './config.ts';

/** Rows fetched per round trip while listing ids. */
const PAGE = 1000;

export function createWarmPlan(config: ApiConfig): WarmPlan {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.pgPoolSize,
    options: PG_SESSION_OPTIONS,
  });
  const store = new ExampleStore(pool, config.pgSchema);
  const keys = createExampleKeys(config.keyPrefix);
  const table = (name: string) => `"${config.pgSchema}".${name}`;

  async function* ids(name: string): AsyncGenerator<string> {
    let after = '0';
    for (;;) {
      const { rows } = await pool.query<{ id: string }>(
        // Qualified: a bare `id` in ORDER BY would name the text output column (sorting '10' < '9').
        `select t.id::text as id from ${table(name)} t where t.id > $1 order by t.id limit ${PAGE}`,
        [after],
      );
      for (const row of rows) yield row.id;
      if (rows.length < PAGE) return;
      after = rows.at(-1)!.id;
    }
  }

  return {
    async *entries(): AsyncGenerator<WarmEntry> {
      for await (const id of ids('users'))
        yield { key: keys.user.key({ id }), load: () => store.user(id), ttlMs: config.cacheTtlMs };
      for await (const id of ids('products')) {
        yield {
          key: keys.product.key({ id }),
          load: () => store.product(id),
          ttlMs: config.cacheTtlMs,
        };
      }
    },
    async count() {
      const { rows } = await pool.query<{ n: number }>(
        `select ((select count(*) from ${table('users')}) + (select count(*) from ${table('products')}))::int as n`,
      );
      return rows[0]!.n;
    },
    close: () => pool.end(),
  };
}

export default () => createWarmPlan(readApiConfig());
