import { decodeStoredValue } from '@freshen/storage';
import { EXAMPLE_SCHEMA_SQL, createExampleKeys } from '@freshen/example';
import { createLogger } from '@freshen/runtime';
import {
  deleteKeysWithPrefix,
  newPgClient,
  newRedis,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import { readApiConfig } from '../src/config.ts';
import { startExampleApi, type ExampleApi } from '../src/example-api.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const prefix = uniqueName('api');
const keys = createExampleKeys(prefix);
cleanup.add('cache keys', async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await deleteKeysWithPrefix(redis, `{${prefix}`);
});
let api: ExampleApi;

beforeAll(async () => {
  const db = await newPgClient(cleanup);
  const schema = await newSchema(cleanup, db, 'api');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  const { databaseUrl, redisUrl } = stackSettings();
  const config = readApiConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PG_SCHEMA: schema,
    KEY_PREFIX: prefix,
    PORT: '0',
    METRICS_PORT: '0',
  });
  api = await startExampleApi(config, createLogger('example-api', { level: 'silent' }));
  cleanup.add('example api', () => api.close());
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  // Bodies are whatever JSON the route returns; the assertions say what they must be.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${api.port}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('users', () => {
  it('reads through the cache; writes go to Postgres only, until an invalidation removes the key', async () => {
    const ann = await call('POST', '/users', { email: 'ann@example.com', name: 'Ann' });
    expect(ann).toMatchObject({
      status: 201,
      body: { email: 'ann@example.com', name: 'Ann', bio: '' },
    });
    const id = ann.body.id as string;
    expect(id).toMatch(/^\d+$/); // bigint as text, as in change events

    expect(await call('GET', `/users/${id}`)).toEqual({ status: 200, body: ann.body });
    const cached = JSON.parse(decodeStoredValue((await redis.get(keys.user.key({ id })))!).payload);
    expect(cached).toEqual(ann.body);

    expect((await call('PUT', `/users/${id}/email`, { email: 'ann@new.example' })).body.email).toBe(
      'ann@new.example',
    );
    expect((await call('GET', `/users/${id}`)).body.email).toBe('ann@example.com'); // nothing invalidated it
    await redis.unlink(keys.user.key({ id }));
    expect((await call('GET', `/users/${id}`)).body.email).toBe('ann@new.example');
    expect((await call('GET', '/users/by-email/ann%40new.example')).body.id).toBe(id);
  });

  it('answers 404 for missing users and caches that answer', async () => {
    expect(await call('GET', '/users/999999')).toEqual({
      status: 404,
      body: { error: 'user not found' },
    });
    expect(await redis.get(keys.user.key({ id: '999999' }))).toMatch(/null$/);
    expect((await call('GET', '/users/by-email/nobody%40example.com')).status).toBe(404);
  });

  it('refuses bad input with 400/404/405/409', async () => {
    expect((await call('GET', '/users/abc')).status).toBe(400);
    expect((await call('GET', '/users/by-email/%E0%A4%A')).status).toBe(400);
    expect((await call('POST', '/users', { email: 'x@example.com' })).status).toBe(400);
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect((await call('DELETE', '/users/1')).status).toBe(405);
    await call('POST', '/users', { email: 'dup@example.com', name: 'D' });
    expect((await call('POST', '/users', { email: 'dup@example.com', name: 'D' })).status).toBe(
      409,
    );
  });
});

describe('teams, products and orders', () => {
  it('lists team members with their profiles', async () => {
    const team = (await call('POST', '/teams', { name: 'core' })).body;
    const bob = (await call('POST', '/users', { email: 'bob@example.com', name: 'Bob' })).body;
    const cy = (await call('POST', '/users', { email: 'cy@example.com', name: 'Cy' })).body;
    expect(
      (await call('POST', `/teams/${team.id}/members`, { user_id: bob.id, role: 'lead' })).status,
    ).toBe(201);
    expect((await call('POST', `/teams/${team.id}/members`, { user_id: bob.id })).status).toBe(200);
    await call('POST', `/teams/${team.id}/members`, { user_id: Number(cy.id) });
    const members = await call('GET', `/teams/${team.id}/members`);
    expect(members.body).toEqual({
      team,
      members: [
        { ...bob, role: 'lead' },
        { ...cy, role: 'member' },
      ],
    });
    expect((await call('DELETE', `/teams/${team.id}/members/${cy.id}`)).status).toBe(204);
    expect((await call('GET', '/teams/999999/members')).status).toBe(404);
  });

  it('updates products and takes stock in orders; order fields come from a cached hash', async () => {
    const product = (
      await call('POST', '/products', { sku: 'mug-1', name: 'Mug', price: '9.50', stock: 3 })
    ).body;
    expect(product).toMatchObject({ sku: 'mug-1', price: '9.50', stock: 3 });
    expect((await call('GET', '/products/by-sku/mug-1')).body).toEqual(product);
    expect((await call('PUT', `/products/${product.id}`, { price: 12 })).body).toMatchObject({
      price: '12.00',
      stock: 3,
    });
    const user = (await call('POST', '/users', { email: 'buyer@example.com', name: 'B' })).body;
    const order = await call('POST', '/orders', {
      user_id: user.id,
      product_id: product.id,
      qty: 2,
    });
    expect(order).toMatchObject({
      status: 201,
      body: { qty: 2, status: 'pending', user_id: user.id },
    });
    expect(
      (await call('POST', '/orders', { user_id: user.id, product_id: product.id, qty: 2 })).status,
    ).toBe(409);
    expect(await call('GET', `/orders/${order.body.id}?fields=status,qty`)).toEqual({
      status: 200,
      body: { status: 'pending', qty: 2 },
    });
    expect(await redis.type(keys.order.key({ id: order.body.id }))).toBe('hash');
    expect((await call('GET', `/users/${user.id}/orders`)).body).toEqual([order.body]);
    expect((await call('GET', `/orders/${order.body.id}?fields=nope`)).status).toBe(400);
  });
});

describe('category listings', () => {
  it('caches a listing with its category tag; the tag gone (what the invalidator does), it reloads', async () => {
    const category = (await call('POST', '/categories', { name: 'tools' })).body;
    const other = (await call('POST', '/categories', { name: 'toys' })).body;
    const hammer = (
      await call('POST', '/products', { sku: 'cat-1', name: 'Hammer', price: '9.50' })
    ).body;
    expect(
      await call('PUT', `/products/${hammer.id}/category`, { category_id: category.id }),
    ).toMatchObject({ status: 200, body: { id: hammer.id } });
    const listing = await call('GET', `/categories/${category.id}/products`);
    expect(listing).toEqual({ status: 200, body: [hammer] });
    const tag = keys.productsInCategory.tag({ category_id: category.id });
    expect(await redis.exists(tag.key)).toBe(1);
    // Written to Postgres only: the cached listing stays until its tag is invalidated.
    await call('PUT', `/products/${hammer.id}/category`, { category_id: other.id });
    expect((await call('GET', `/categories/${category.id}/products`)).body).toEqual([hammer]);
    await redis.unlink(tag.key);
    expect((await call('GET', `/categories/${category.id}/products`)).body).toEqual([]);
    expect((await call('GET', `/categories/${other.id}/products`)).body).toEqual([hammer]);
    expect(
      (await call('PUT', `/products/${hammer.id}/category`, { category_id: 'x' })).status,
    ).toBe(400);
  });
});

describe('structures the rules keep', () => {
  it('serves the leaderboard and member ids from Redis as the invalidator wrote them', async () => {
    // Written here as the invalidator's structure actions would (that path is tested in
    // services/invalidator); the routes only read them.
    await redis.zadd(keys.productsByUnitsSold.key({}), 5, '1', 12, '2', 7, '3', 12, '10');
    await redis.sadd(keys.teamMemberIds.key({ team_id: '4' }), '11', '2', '100');
    expect(await call('GET', '/leaderboard?top=3')).toEqual({
      status: 200,
      body: [
        { product_id: '2', units_sold: 12 },
        { product_id: '10', units_sold: 12 },
        { product_id: '3', units_sold: 7 },
      ],
    });
    expect((await call('GET', '/leaderboard')).body).toHaveLength(4);
    expect(await call('GET', '/teams/4/member-ids')).toEqual({
      status: 200,
      body: ['2', '11', '100'],
    });
    expect(await call('GET', '/teams/5/member-ids')).toEqual({ status: 200, body: [] });
    for (const bad of ['0', '101', 'ten', '1.5'])
      expect(await call('GET', `/leaderboard?top=${bad}`)).toEqual({
        status: 400,
        body: { error: 'top must be an integer from 1 to 100' },
      });
  });
});

it('serves request and cache metrics on the metrics port', async () => {
  await call('GET', '/users/999999');
  const text = await (await fetch(`http://127.0.0.1:${api.metricsPort}/metrics`)).text();
  expect(text).toMatch(
    /freshen_api_requests_total\{method="GET",route="\/users\/:id",status="4xx"\} \d+/,
  );
  expect(text).toMatch(/freshen_cache_hits_total [1-9]/);
  expect(text).toContain('freshen_cache_fills_refused_total 0');
  expect((await fetch(`http://127.0.0.1:${api.metricsPort}/readyz`)).status).toBe(200);
});
