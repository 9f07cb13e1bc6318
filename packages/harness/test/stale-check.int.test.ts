import { CacheClient } from '@freshen/cache';
import { createExampleKeys, EXAMPLE_SCHEMA_SQL, CachedReads, ExampleStore } from '@freshen/example';
import {
  newPgClient,
  newRedis,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import pg from 'pg';
import { deleteKeyspace } from '../src/consistency-run.ts';
import { createFixture } from '../src/fixture.ts';
import { findStaleKeys } from '../src/stale-check.ts';

/** The checker must find stale keys when there are some, or its "zero" means nothing. */
const cleanup = useCleanup();
const redis = newRedis(cleanup);

it('reports exactly the cached keys whose rows changed, strings and hashes alike', async () => {
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'stale');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  const fixture = await createFixture(db, schema, { users: 3, teams: 1, products: 2 });
  const prefix = uniqueName('stale');
  cleanup.add('keys', () => deleteKeyspace(redis, prefix));
  const pool = new pg.Pool({ connectionString: stackSettings().databaseUrl, max: 2 });
  cleanup.add('pool', () => pool.end());
  const store = new ExampleStore(pool, schema);
  const keys = createExampleKeys(prefix);
  const reads = new CachedReads(new CacheClient(redis), keys, store, 60_000);

  const [u1, u2] = fixture.userIds;
  // The structures as the invalidator keeps them (that path is tested in the invalidator).
  for (const id of fixture.productIds)
    await redis.zadd(keys.productsByUnitsSold.key({}), id === fixture.productIds[0] ? 1 : 0, id);
  const team = fixture.teamIds[0]!;
  await redis.sadd(keys.teamMemberIds.key({ team_id: team }), ...(await store.teamMemberIds(team)));
  const order = await store.createOrder(u1!, fixture.productIds[0]!, 1);
  const { rows } = await db.query<{ category: string }>(
    `select category_id::text as category from ${schema}.products where id = $1`,
    [fixture.productIds[1]],
  );
  const category = rows[0]!.category;
  expect(await reads.categoryProducts(category)).toHaveLength(1);
  await reads.user(u1!);
  await reads.user(u2!);
  await reads.userByEmail(fixture.emails[0]!);
  await reads.teamMembers(fixture.teamIds[0]!);
  await reads.product(fixture.productIds[1]!);
  await reads.order(order.id, ['status', 'qty']);
  expect(await findStaleKeys(redis, keys, store)).toEqual({
    checked: 7,
    taggedNotServed: 0,
    structuresChecked: 2,
    stale: [],
  });

  // Writes with no invalidation: exactly these keys go stale.
  await store.updateUserEmail(u2!, 'moved@example.com');
  await store.updateProduct(fixture.productIds[1]!, { stock: 1 });
  await db.query(`update ${schema}.orders set status = 'shipped' where id = $1`, [order.id]);
  // The listing's tag not invalidated: a reader would be served the old listing.
  await store.setProductCategory(
    fixture.productIds[1]!,
    fixture.categoryIds.find((id) => id !== category)!,
  );
  await store.createOrder(u2!, fixture.productIds[1]!, 1);
  await store.removeTeamMember(team, (await store.teamMemberIds(team))[0]!);
  const report = await findStaleKeys(redis, keys, store);
  expect(report.checked).toBe(7);
  expect(report.stale.map((s) => s.key).sort()).toEqual(
    [
      keys.user.key({ id: u2! }),
      keys.product.key({ id: fixture.productIds[1]! }),
      keys.order.key({ id: order.id }),
      keys.categoryProducts.key({ category_id: category }),
      keys.productsByUnitsSold.key({}),
      keys.teamMemberIds.key({ team_id: team }),
      keys.teamMembers.key({ team_id: team }),
    ].sort(),
  );
  const causeOf = (key: string) => report.stale.find((s) => s.key === key)?.cause;
  expect(causeOf(keys.categoryProducts.key({ category_id: category }))).toBe('tagged-result');
  expect(causeOf(keys.productsByUnitsSold.key({}))).toBe('structure-member');
  expect(causeOf(keys.teamMemberIds.key({ team_id: team }))).toBe('structure-member');
  // Its tag invalidated (what the products rule does), the listing is never served: not stale.
  await redis.unlink(keys.productsInCategory.tag({ category_id: category }).key);
  const after = await findStaleKeys(redis, keys, store);
  expect(after.taggedNotServed).toBe(1);
  expect(after.stale.map((s) => s.cause)).not.toContain('tagged-result');
  expect(report.stale.find((s) => s.key === keys.order.key({ id: order.id }))).toMatchObject({
    cause: 'hash-field',
    cached: { status: 'pending', qty: 1 },
    actual: { status: 'shipped', qty: 1 },
  });
  // updateUserEmail also moves updated_at: the cached profile is older than the row.
  expect(report.stale.find((s) => s.key === keys.user.key({ id: u2! }))?.cause).toBe('older-value');
  expect(
    report.stale.find((s) => s.key === keys.product.key({ id: fixture.productIds[1]! }))?.cause,
  ).toBe('value-differs');
});
