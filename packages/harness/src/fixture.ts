import type pg from 'pg';

/**
 * The rows a workload plays with: few, so readers and writers collide often. The lists change
 * as the workload writes: a primary-key move replaces the user's id in userIds and adds the old
 * one to formerUserIds (readers read both), new orders join orderIds.
 */
export interface Fixture {
  userIds: string[];
  /** Ids users had before a primary-key move (no row has them now). */
  formerUserIds: string[];
  /** Orders created by the workload (some removed since, by a truncate or a cascade). */
  orderIds: string[];
  teamIds: string[];
  productIds: string[];
  skus: string[];
  /** Categories; products start spread over them and writers move products between them. */
  categoryIds: string[];
  /** Every email a user had or has (reads of old emails exercise "no such user" caching). */
  emails: string[];
}

export interface FixtureSize {
  users: number;
  teams: number;
  products: number;
  /** Default 3. */
  categories?: number;
}

/** Inserts users, teams (with members), categories and products into `schema`'s example tables. */
export async function createFixture(
  db: pg.Client,
  schema: string,
  size: FixtureSize,
): Promise<Fixture> {
  const s = `"${schema}"`;
  const users = await db.query<{ id: string; email: string }>(
    `insert into ${s}.users (email, name) select 'user' || i || '@example.com', 'User ' || i
     from generate_series(1, $1) i returning id::text, email`,
    [size.users],
  );
  const teams = await db.query<{ id: string }>(
    `insert into ${s}.teams (name) select 'team ' || i from generate_series(1, $1) i returning id::text`,
    [size.teams],
  );
  await db.query(
    `insert into ${s}.team_members (team_id, user_id)
     select t.id, u.id from ${s}.teams t join ${s}.users u on u.id % $1 = t.id % $1`,
    [size.teams],
  );
  const categories = await db.query<{ id: string }>(
    `insert into ${s}.categories (name) select 'category ' || i from generate_series(1, $1) i returning id::text`,
    [size.categories ?? 3],
  );
  const categoryIds = categories.rows.map((row) => row.id);
  const products = await db.query<{ id: string; sku: string }>(
    `insert into ${s}.products (sku, name, price, stock, category_id)
     select 'sku-' || i, 'Product ' || i, 10 + i, 1000000, ($2::bigint[])[1 + i % cardinality($2::bigint[])]
     from generate_series(1, $1) i returning id::text, sku`,
    [size.products, categoryIds],
  );
  return {
    userIds: users.rows.map((row) => row.id),
    formerUserIds: [],
    orderIds: [],
    teamIds: teams.rows.map((row) => row.id),
    productIds: products.rows.map((row) => row.id),
    skus: products.rows.map((row) => row.sku),
    categoryIds,
    emails: users.rows.map((row) => row.email),
  };
}
