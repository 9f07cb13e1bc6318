import type pg from 'pg';
import { StoreError } from './store-error.ts';
import type { Membership, Order, Product, Team, User } from './rows.ts';

/** Postgres error codes (Appendix A of the Postgres manual). */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

const USER_COLUMNS = 'id::text, email, name, bio, updated_at::text';
const PRODUCT_COLUMNS = 'id::text, sku, name, price::text, stock';
// Lists sort by a table-qualified column: a bare name in ORDER BY means the text output column.
const ORDER_COLUMNS = 'id::text, user_id::text, product_id::text, qty, status, created_at::text';

/**
 * The example schema in Postgres: the loaders the cache calls on a miss, and the writes, which
 * go straight to Postgres (the invalidator, fed by the WAL, fixes the cache).
 */
export class ExampleStore {
  private readonly pool: pg.Pool;
  private readonly t: (table: string) => string;

  constructor(pool: pg.Pool, schema: string) {
    this.pool = pool;
    const quoted = `"${schema.replaceAll('"', '""')}"`;
    this.t = (table) => `${quoted}.${table}`;
  }

  async user(id: string): Promise<User | null> {
    return this.one<User>(`select ${USER_COLUMNS} from ${this.t('users')} where id = $1`, [id]);
  }

  async userIdByEmail(email: string): Promise<string | null> {
    return (
      (
        await this.one<{ id: string }>(`select id::text from ${this.t('users')} where email = $1`, [
          email,
        ])
      )?.id ?? null
    );
  }

  async team(id: string): Promise<Team | null> {
    return this.one<Team>(`select id::text, name from ${this.t('teams')} where id = $1`, [id]);
  }

  async teamMembers(teamId: string): Promise<Membership[]> {
    const { rows } = await this.pool.query<Membership>(
      `select m.user_id::text, m.role from ${this.t('team_members')} m where m.team_id = $1 order by m.user_id`,
      [teamId],
    );
    return rows;
  }

  async product(id: string): Promise<Product | null> {
    return this.one<Product>(`select ${PRODUCT_COLUMNS} from ${this.t('products')} where id = $1`, [
      id,
    ]);
  }

  async productBySku(sku: string): Promise<Product | null> {
    return this.one<Product>(
      `select ${PRODUCT_COLUMNS} from ${this.t('products')} where sku = $1`,
      [sku],
    );
  }

  async order(id: string): Promise<Order | null> {
    return this.one<Order>(`select ${ORDER_COLUMNS} from ${this.t('orders')} where id = $1`, [id]);
  }

  async userOrders(userId: string): Promise<Order[]> {
    const { rows } = await this.pool.query<Order>(
      `select ${ORDER_COLUMNS} from ${this.t('orders')} o where o.user_id = $1 order by o.id`,
      [userId],
    );
    return rows;
  }

  async createUser(email: string, name: string, bio: string): Promise<User> {
    return this.write(() =>
      this.one<User>(
        `insert into ${this.t('users')} (email, name, bio) values ($1, $2, $3) returning ${USER_COLUMNS}`,
        [email, name, bio],
      ),
    ) as Promise<User>;
  }

  async updateUserEmail(id: string, email: string): Promise<User | null> {
    return this.write(() =>
      this.one<User>(
        `update ${this.t('users')} set email = $2, updated_at = now() where id = $1 returning ${USER_COLUMNS}`,
        [id, email],
      ),
    );
  }

  async createTeam(name: string): Promise<Team> {
    return (await this.one<Team>(
      `insert into ${this.t('teams')} (name) values ($1) returning id::text, name`,
      [name],
    ))!;
  }

  /** Adds a member; false if already a member. */
  async addTeamMember(teamId: string, userId: string, role: string): Promise<boolean> {
    const result = await this.write(() =>
      this.pool.query(
        `insert into ${this.t('team_members')} (team_id, user_id, role) values ($1, $2, $3) on conflict do nothing`,
        [teamId, userId, role],
      ),
    );
    return result.rowCount === 1;
  }

  async removeTeamMember(teamId: string, userId: string): Promise<boolean> {
    const result = await this.pool.query(
      `delete from ${this.t('team_members')} where team_id = $1 and user_id = $2`,
      [teamId, userId],
    );
    return result.rowCount === 1;
  }

  /** The products of a category, in id order: the query result cached with a tag. */
  async categoryProducts(categoryId: string): Promise<Product[]> {
    const { rows } = await this.pool.query<Product>(
      `select ${PRODUCT_COLUMNS} from ${this.t('products')} p where p.category_id = $1 order by p.id`,
      [categoryId],
    );
    return rows;
  }

  async createCategory(name: string): Promise<{ id: string; name: string }> {
    return this.write(() =>
      this.one<{ id: string; name: string }>(
        `insert into ${this.t('categories')} (name) values ($1) returning id::text, name`,
        [name],
      ),
    ) as Promise<{ id: string; name: string }>;
  }

  /** Moves a product to another category (or none); null if there is no such product. */
  async setProductCategory(id: string, categoryId: string | null): Promise<Product | null> {
    return this.write(() =>
      this.one<Product>(
        `update ${this.t('products')} set category_id = $2 where id = $1 returning ${PRODUCT_COLUMNS}`,
        [id, categoryId],
      ),
    );
  }

  /** The leaderboard as the table has it: product id → units sold, for every product. */
  async unitsSoldByProduct(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ id: string; units_sold: number }>(
      `select id::text, units_sold from ${this.t('products')}`,
    );
    return new Map(rows.map((row) => [row.id, row.units_sold]));
  }

  /** Teams that have at least one member. */
  async teamsWithMembers(): Promise<string[]> {
    const { rows } = await this.pool.query<{ team_id: string }>(
      `select distinct team_id::text from ${this.t('team_members')}`,
    );
    return rows.map((row) => row.team_id);
  }

  /** The member ids of a team as the table has them. */
  async teamMemberIds(teamId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `select user_id::text from ${this.t('team_members')} where team_id = $1 order by user_id`,
      [teamId],
    );
    return rows.map((row) => row.user_id);
  }

  async createProduct(sku: string, name: string, price: string, stock: number): Promise<Product> {
    return this.write(() =>
      this.one<Product>(
        `insert into ${this.t('products')} (sku, name, price, stock) values ($1, $2, $3, $4) returning ${PRODUCT_COLUMNS}`,
        [sku, name, price, stock],
      ),
    ) as Promise<Product>;
  }

  async updateProduct(
    id: string,
    change: { price?: string; stock?: number },
  ): Promise<Product | null> {
    return this.write(() =>
      this.one<Product>(
        `update ${this.t('products')} set price = coalesce($2::numeric, price), stock = coalesce($3::int, stock)
         where id = $1 returning ${PRODUCT_COLUMNS}`,
        [id, change.price ?? null, change.stock ?? null],
      ),
    );
  }

  /** Takes `qty` from stock and records the order in one transaction; 409 if stock is short. */
  async createOrder(userId: string, productId: string, qty: number): Promise<Order> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const taken = await client.query(
        `update ${this.t('products')} set stock = stock - $2, units_sold = units_sold + $2 where id = $1 and stock >= $2`,
        [productId, qty],
      );
      if (taken.rowCount !== 1)
        throw new StoreError(
          'conflict',
          `product ${productId} does not exist or has less than ${qty} in stock`,
        );
      const { rows } = await client.query<Order>(
        `insert into ${this.t('orders')} (user_id, product_id, qty) values ($1, $2, $3) returning ${ORDER_COLUMNS}`,
        [userId, productId, qty],
      );
      await client.query('commit');
      return rows[0]!;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw translate(error);
    } finally {
      client.release();
    }
  }

  private async one<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[],
  ): Promise<R | null> {
    const { rows } = await this.pool.query<R>(sql, values);
    return rows[0] ?? null;
  }

  private async write<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      throw translate(error);
    }
  }
}

/** Constraint violations are the client's doing: 409 and 404 instead of 500. */
function translate(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === UNIQUE_VIOLATION)
    return new StoreError('conflict', 'that value is already taken (unique constraint)');
  if (code === FOREIGN_KEY_VIOLATION)
    return new StoreError('missing', 'a referenced row does not exist');
  return error;
}
