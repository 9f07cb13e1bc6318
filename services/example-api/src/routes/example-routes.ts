import {
  type CachedReads,
  type ExampleStore,
  type OrderField,
  type StructureReads,
} from '@freshen/example';
import { HttpError, parseId } from '../http/http-error.ts';
import { readJsonBody } from '../http/json-body.ts';
import { Router, type RouteResult } from '../http/router.ts';

const ORDER_FIELDS: readonly OrderField[] = [
  'id',
  'user_id',
  'product_id',
  'qty',
  'status',
  'created_at',
];

const ok = (body: unknown): RouteResult => ({ status: 200, body });
const created = (body: unknown): RouteResult => ({ status: 201, body });
function found<T>(value: T | null, what: string): RouteResult {
  if (value === null) throw new HttpError(404, `${what} not found`);
  return ok(value);
}

function text(
  body: Record<string, unknown>,
  name: string,
  options: { optional?: boolean } = {},
): string | undefined {
  const value = body[name];
  if (value === undefined && options.optional) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new HttpError(400, `body field ${name} must be a non-empty string`);
  return value;
}

function count(body: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < min)
    throw new HttpError(400, `body field ${name} must be an integer >= ${min}`);
  return value as number;
}

function price(body: Record<string, unknown>): string | undefined {
  const value = body.price;
  if (value === undefined) return undefined;
  const raw = typeof value === 'number' ? String(value) : value;
  if (typeof raw !== 'string' || !/^\d{1,10}(\.\d{1,2})?$/.test(raw))
    throw new HttpError(400, 'body field price must be a decimal like "12.50"');
  return raw;
}

/** How many leaderboard entries one request may ask for. */
const MAX_TOP = 100;

function top(query: URLSearchParams): number {
  const raw = query.get('top') ?? '10';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_TOP)
    throw new HttpError(400, `top must be an integer from 1 to ${MAX_TOP}`);
  return value;
}

/**
 * Reads go through the cache (values) or read the structures the rules keep (leaderboard,
 * member ids); writes go straight to Postgres.
 */
export function exampleRoutes(
  reads: CachedReads,
  structures: StructureReads,
  store: ExampleStore,
): Router {
  return (
    new Router()
      // Reads.
      .add('GET', '/users/:id', async ({ params }) =>
        found(await reads.user(parseId(params.id, 'user id')), 'user'),
      )
      .add('GET', '/users/by-email/:email', async ({ params }) =>
        found(await reads.userByEmail(params.email!), 'user'),
      )
      .add('GET', '/users/:id/orders', async ({ params }) =>
        ok(await reads.userOrders(parseId(params.id, 'user id'))),
      )
      .add('GET', '/teams/:id/members', async ({ params }) => {
        const team = await reads.team(parseId(params.id, 'team id'));
        if (team === null) throw new HttpError(404, 'team not found');
        const members = await reads.teamMembers(team.id);
        const users = await Promise.all(members.map((member) => reads.user(member.user_id)));
        // A member row whose user was deleted a moment ago is skipped, not an error.
        const list = members.flatMap((member, i) =>
          users[i] ? [{ ...users[i], role: member.role }] : [],
        );
        return ok({ team, members: list });
      })
      .add('GET', '/teams/:id/member-ids', async ({ params }) =>
        ok(await structures.teamMemberIds(parseId(params.id, 'team id'))),
      )
      .add('GET', '/leaderboard', async ({ query }) => ok(await structures.leaderboard(top(query))))
      .add('GET', '/products/:id', async ({ params }) =>
        found(await reads.product(parseId(params.id, 'product id')), 'product'),
      )
      .add('GET', '/categories/:id/products', async ({ params }) =>
        ok(await reads.categoryProducts(parseId(params.id, 'category id'))),
      )
      .add('GET', '/products/by-sku/:sku', async ({ params }) =>
        found(await reads.productBySku(params.sku!), 'product'),
      )
      .add('GET', '/orders/:id', async ({ params, query }) => {
        const asked = query.get('fields')?.split(',').filter(Boolean) ?? ORDER_FIELDS;
        const unknown = asked.filter((field) => !ORDER_FIELDS.includes(field as OrderField));
        if (unknown.length > 0)
          throw new HttpError(
            400,
            `unknown order fields: ${unknown.join(', ')}; use ${ORDER_FIELDS.join(',')}`,
          );
        return found(
          await reads.order(parseId(params.id, 'order id'), asked as OrderField[]),
          'order',
        );
      })
      // Writes.
      .add('POST', '/users', async ({ request }) => {
        const body = await readJsonBody(request);
        return created(
          await store.createUser(
            text(body, 'email')!,
            text(body, 'name')!,
            text(body, 'bio', { optional: true }) ?? '',
          ),
        );
      })
      .add('PUT', '/users/:id/email', async ({ params, request }) => {
        const body = await readJsonBody(request);
        return found(
          await store.updateUserEmail(parseId(params.id, 'user id'), text(body, 'email')!),
          'user',
        );
      })
      .add('POST', '/teams', async ({ request }) =>
        created(await store.createTeam(text(await readJsonBody(request), 'name')!)),
      )
      .add('POST', '/teams/:id/members', async ({ params, request }) => {
        const body = await readJsonBody(request);
        const added = await store.addTeamMember(
          parseId(params.id, 'team id'),
          parseId(body.user_id, 'body field user_id'),
          text(body, 'role', { optional: true }) ?? 'member',
        );
        return { status: added ? 201 : 200, body: { added } };
      })
      .add('DELETE', '/teams/:id/members/:userId', async ({ params }) => {
        const removed = await store.removeTeamMember(
          parseId(params.id, 'team id'),
          parseId(params.userId, 'user id'),
        );
        if (!removed) throw new HttpError(404, 'membership not found');
        return { status: 204 };
      })
      .add('POST', '/products', async ({ request }) => {
        const body = await readJsonBody(request);
        const productPrice = price(body);
        if (productPrice === undefined) throw new HttpError(400, 'body field price is required');
        return created(
          await store.createProduct(
            text(body, 'sku')!,
            text(body, 'name')!,
            productPrice,
            count(body, 'stock', 0) ?? 0,
          ),
        );
      })
      .add('PUT', '/products/:id', async ({ params, request }) => {
        const body = await readJsonBody(request);
        const change = { price: price(body), stock: count(body, 'stock', 0) };
        if (change.price === undefined && change.stock === undefined)
          throw new HttpError(400, 'give price and/or stock');
        return found(
          await store.updateProduct(parseId(params.id, 'product id'), change),
          'product',
        );
      })
      .add('POST', '/categories', async ({ request }) =>
        created(await store.createCategory(text(await readJsonBody(request), 'name')!)),
      )
      .add('PUT', '/products/:id/category', async ({ params, request }) => {
        const body = await readJsonBody(request);
        const categoryId =
          body.category_id === null ? null : parseId(body.category_id, 'body field category_id');
        return found(
          await store.setProductCategory(parseId(params.id, 'product id'), categoryId),
          'product',
        );
      })
      .add('POST', '/orders', async ({ request }) => {
        const body = await readJsonBody(request);
        const qty = count(body, 'qty', 1);
        if (qty === undefined) throw new HttpError(400, 'body field qty is required');
        return created(
          await store.createOrder(
            parseId(body.user_id, 'body field user_id'),
            parseId(body.product_id, 'body field product_id'),
            qty,
          ),
        );
      })
  );
}
