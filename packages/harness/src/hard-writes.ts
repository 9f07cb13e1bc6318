import type pg from 'pg';
import type { RunHistory } from './run-history.ts';

/**
 * Postgres errors a hard write may meet by design and that leave nothing half done (the
 * transaction rolled back): a row moved or deleted under it (foreign key), a value taken, a
 * deadlock between two writers. The workload counts them as conflicts, not failures.
 */
const CONFLICT_CODES = new Set(['23503', '23505', '40P01', '40001']);

export function isWriteConflict(error: unknown): boolean {
  return CONFLICT_CODES.has((error as { code?: string }).code ?? '');
}

/** The tables a hard workload truncates mid-run. */
export type TruncatedTable = 'orders' | 'team_members';

/**
 * The writes that broke or could break "no cached value outlives its row" (issue 9), each one
 * transaction, straight to Postgres like the application's writes: a primary-key move after an
 * update of the same row, delete and re-insert of the same key, a row updated twice, a
 * truncate, and a long transaction that commits late.
 */
export class HardWrites {
  private readonly pool: pg.Pool;
  private readonly history: RunHistory;
  private readonly t: (table: string) => string;

  constructor(pool: pg.Pool, schema: string, history: RunHistory) {
    this.pool = pool;
    this.history = history;
    const quoted = `"${schema.replaceAll('"', '""')}"`;
    this.t = (table) => `${quoted}.${table}`;
  }

  /**
   * The repro of issue 9's first bug: `update users set name ...; update users set id = <new>`
   * in one transaction. The user's memberships and orders (foreign keys without ON UPDATE) are
   * deleted before the move and re-inserted for the new id with their old order ids (a delete
   * and re-insert of the same order key with another user_id). The new id comes from the
   * table's identity sequence, so ids stay unique. Returns the new id, or undefined when the
   * user is gone already.
   */
  async moveUser(id: string): Promise<string | undefined> {
    return this.transaction(async (client) => {
      // FOR UPDATE first: writers adding orders or memberships for this user wait, then fail
      // their foreign key once the id is gone, instead of failing this move.
      const found = await client.query(
        `select 1 from ${this.t('users')} where id = $1 for update`,
        [id],
      );
      if (found.rowCount !== 1) return undefined;
      await client.query(
        `update ${this.t('users')} set name = 'renamed ' || id, updated_at = now() where id = $1`,
        [id],
      );
      const teams = await client.query<{ team_id: string; role: string }>(
        `delete from ${this.t('team_members')} where user_id = $1 returning team_id::text, role`,
        [id],
      );
      const orders = await client.query<{
        id: string;
        product_id: string;
        qty: number;
        status: string;
        created_at: string;
      }>(
        `delete from ${this.t('orders')} where user_id = $1
         returning id::text, product_id::text, qty, status, created_at::text`,
        [id],
      );
      const moved = await client.query<{ id: string }>(
        `update ${this.t('users')} set id = nextval(pg_get_serial_sequence('${this.t('users').replaceAll("'", "''")}', 'id'))
         where id = $1 returning id::text`,
        [id],
      );
      const newId = moved.rows[0]!.id;
      await client.query(
        `insert into ${this.t('team_members')} (team_id, user_id, role)
         select team_id, $2, role from unnest($1::bigint[], $3::text[]) as m(team_id, role)`,
        [teams.rows.map((row) => row.team_id), newId, teams.rows.map((row) => row.role)],
      );
      await client.query(
        `insert into ${this.t('orders')} (id, user_id, product_id, qty, status, created_at)
         select o.id, $2, o.product_id, o.qty, o.status, o.created_at
         from unnest($1::bigint[], $3::bigint[], $4::int[], $5::text[], $6::timestamptz[])
           as o(id, product_id, qty, status, created_at)`,
        [
          orders.rows.map((row) => row.id),
          newId,
          orders.rows.map((row) => row.product_id),
          orders.rows.map((row) => row.qty),
          orders.rows.map((row) => row.status),
          orders.rows.map((row) => row.created_at),
        ],
      );
      return newId;
    }).then((newId) => {
      if (newId !== undefined) this.history.movedUsers.set(id, newId);
      return newId;
    });
  }

  /**
   * Deletes a user and inserts it again with the same id and email in one transaction (a
   * delete and an insert of the same key, in one partition); its memberships come back, its
   * orders (deleted by the cascade) do not.
   */
  async deleteAndReinsertUser(id: string): Promise<boolean> {
    return this.transaction(async (client) => {
      const gone = await client.query<{ email: string; bio: string }>(
        `delete from ${this.t('users')} where id = $1 returning email, bio`,
        [id],
      );
      if (gone.rowCount !== 1) return false;
      const teams = await client.query<{ team_id: string }>(
        // The cascade already ran; memberships are re-created from the fixture's rule (id % teams).
        `select id::text as team_id from ${this.t('teams')}
         where id % (select count(*) from ${this.t('teams')}) = $1::bigint % (select count(*) from ${this.t('teams')})`,
        [id],
      );
      await client.query(
        `insert into ${this.t('users')} (id, email, name, bio) values ($1::bigint, $2, 'reborn ' || $1::text, $3)`,
        [id, gone.rows[0]!.email, gone.rows[0]!.bio],
      );
      await client.query(
        `insert into ${this.t('team_members')} (team_id, user_id) select unnest($1::bigint[]), $2`,
        [teams.rows.map((row) => row.team_id), id],
      );
      return true;
    });
  }

  /** Two updates of one product in one transaction: only the second may stay cached. */
  async updateProductTwice(id: string, prices: [string, string], stock: number): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(`update ${this.t('products')} set price = $2 where id = $1`, [
        id,
        prices[0],
      ]);
      await client.query(`update ${this.t('products')} set price = $2, stock = $3 where id = $1`, [
        id,
        prices[1],
        stock,
      ]);
    });
  }

  /** Two email changes of one user in one transaction: the middle email never existed. */
  async updateEmailTwice(id: string, emails: [string, string]): Promise<void> {
    await this.transaction(async (client) => {
      for (const email of emails) {
        await client.query(
          `update ${this.t('users')} set email = $2, updated_at = now() where id = $1`,
          [id, email],
        );
      }
    });
  }

  /** An order's status, read by hash-field readers (the order rules only delete). */
  async updateOrderStatus(id: string, status: string): Promise<void> {
    await this.pool.query(`update ${this.t('orders')} set status = $2 where id = $1`, [id, status]);
  }

  /**
   * Users no other writer touches: only touchQuietUsers changes them, so the value a refresh
   * wrote from that change stays in the cache to be compared (an often-written row would be
   * refreshed again by later events and hide a wrong first one).
   */
  async createQuietUsers(count: number): Promise<string[]> {
    const tag = Math.random().toString(36).slice(2, 10);
    const { rows } = await this.pool.query<{ id: string }>(
      `insert into ${this.t('users')} (email, name) select 'quiet-' || $2 || '-' || i || '@example.com', 'Quiet ' || i
       from generate_series(1, $1) i returning id::text`,
      [count, tag],
    );
    return rows.map((row) => row.id);
  }

  /**
   * One transaction changing every quiet user (bio and updated_at, a timestamptz whose text
   * form a wrong parser changes). Written while the reader is down or just started, these are
   * among the first events of the next reader session.
   */
  async touchQuietUsers(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      `update ${this.t('users')} set bio = 'touched ' || clock_timestamp()::text, updated_at = clock_timestamp()
       where id = any($1::bigint[])`,
      [ids],
    );
  }

  /** Ids of the orders that exist now. */
  async orderIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `select id::text from ${this.t('orders')}`,
    );
    return rows.map((row) => row.id);
  }

  /**
   * TRUNCATE of one table, recording the rows it removed (the table is locked first, so the
   * list is exactly what the truncate removes). Returns those rows in the loaders' text form.
   */
  async truncate(table: TruncatedTable): Promise<Record<string, string>[]> {
    const removed = await this.transaction(async (client) => {
      await client.query(`lock table ${this.t(table)} in access exclusive mode`);
      const { rows } =
        table === 'orders'
          ? await client.query<Record<string, string>>(
              `select id::text, user_id::text, product_id::text, qty::text, status from ${this.t('orders')}`,
            )
          : await client.query<Record<string, string>>(
              `select team_id::text, user_id::text, role from ${this.t('team_members')}`,
            );
      await client.query(`truncate ${this.t(table)}`);
      return rows;
    });
    for (const row of removed) {
      if (table === 'orders') this.history.truncatedOrders.add(row.id!);
      else this.history.truncatedMemberships.add(`${row.team_id}:${row.user_id}`);
    }
    return removed;
  }

  /**
   * Inserts again some rows a truncate removed: orders with their old ids (changed: another
   * status, a new created_at), memberships of users that still exist. Returns how many.
   */
  async reinsert(table: TruncatedTable, rows: Record<string, string>[]): Promise<number> {
    if (rows.length === 0) return 0;
    // A user may move or be deleted meanwhile: the users are locked (key share) in the insert,
    // and the rare race left (deleted between the check and the lock) is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.reinsertOnce(table, rows);
      } catch (error) {
        if (!isWriteConflict(error) || attempt >= 5) throw error;
      }
    }
  }

  private async reinsertOnce(
    table: TruncatedTable,
    rows: Record<string, string>[],
  ): Promise<number> {
    const result =
      table === 'orders'
        ? await this.pool.query(
            `insert into ${this.t('orders')} (id, user_id, product_id, qty, status)
             select o.id, o.user_id, o.product_id, o.qty, 'reinserted'
             from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[]) as o(id, user_id, product_id, qty)
             where exists (select 1 from ${this.t('users')} u where u.id = o.user_id for key share)
             on conflict do nothing`,
            [
              rows.map((row) => row.id),
              rows.map((row) => row.user_id),
              rows.map((row) => row.product_id),
              rows.map((row) => row.qty),
            ],
          )
        : await this.pool.query(
            `insert into ${this.t('team_members')} (team_id, user_id, role)
             select m.team_id, m.user_id, m.role
             from unnest($1::bigint[], $2::bigint[], $3::text[]) as m(team_id, user_id, role)
             where exists (select 1 from ${this.t('users')} u where u.id = m.user_id for key share)
             on conflict do nothing`,
            [
              rows.map((row) => row.team_id),
              rows.map((row) => row.user_id),
              rows.map((row) => row.role),
            ],
          );
    return result.rowCount ?? 0;
  }

  /**
   * Opens a transaction now, makes several writes to `userId` and `productId` (name twice,
   * email, price, a new order, a membership toggle), and commits when `commitAfter()` resolves,
   * while other writes flow. Returns the number of writes it committed (0: the user was gone). The caller keeps other
   * writers off these two rows: they would wait on its locks for the whole time.
   */
  async longTransaction(
    userId: string,
    productId: string,
    email: string,
    commitAfter: () => Promise<void>,
  ): Promise<number> {
    return this.transaction(async (client) => {
      // A move or delete of this user may have been under way when it was picked: lock the
      // user first and give up (0) if it is gone, rather than fail on a foreign key later.
      const user = await client.query(
        `select 1 from ${this.t('users')} where id = $1 for no key update`,
        [userId],
      );
      if (user.rowCount !== 1) return 0;
      const writes: [string, unknown[]][] = [
        [
          `update ${this.t('users')} set name = 'long 1', updated_at = now() where id = $1`,
          [userId],
        ],
        [
          `update ${this.t('users')} set email = $2, updated_at = now() where id = $1`,
          [userId, email],
        ],
        [`update ${this.t('products')} set price = price + 1 where id = $1`, [productId]],
        [
          `insert into ${this.t('orders')} (user_id, product_id, qty) values ($1, $2, 1)`,
          [userId, productId],
        ],
        [
          `delete from ${this.t('team_members')} where user_id = $1 and team_id = (select min(id) from ${this.t('teams')})`,
          [userId],
        ],
        [
          `update ${this.t('users')} set name = 'long 2', updated_at = now() where id = $1`,
          [userId],
        ],
      ];
      for (const [sql, values] of writes) await client.query(sql, values);
      await commitAfter();
      return writes.length;
    });
  }

  private async transaction<R>(run: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await run(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
