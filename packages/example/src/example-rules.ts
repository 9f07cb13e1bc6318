import { MINUTE } from '@freshen/runtime';
import {
  defineRules,
  invalidate,
  invalidateTag,
  refresh,
  setMember,
  tableRule,
  zset,
  type DescribedRuleSet,
} from '@freshen/rules';
import { exampleKeys, type ExampleKeys } from './keys.ts';

/** How long a refreshed profile or product lives without another change. */
const USER_TTL_MS = 10 * MINUTE;
const PRODUCT_TTL_MS = 5 * MINUTE;

/** The example rules for the example schema in `schema`, naming keys with `keys`. */
export function createExampleRules(
  schema = 'public',
  keys: ExampleKeys = exampleKeys,
): DescribedRuleSet {
  const {
    user,
    userByEmail,
    team,
    teamMembers,
    teamMemberIds,
    userTeams,
    product,
    productBySku,
    productsByUnitsSold,
    productsInCategory,
    userOrders,
    order,
  } = keys;

  // Profile refreshed from the new row; email lookups deleted for the old and the new email.
  const users = tableRule(`${schema}.users`, {
    reads: ['id', 'email', 'name', 'bio', 'updated_at'],
    readsOld: ['id', 'email'], // old email: needs REPLICA IDENTITY FULL
    produces: [user, userByEmail],
    *keys({ new: row, old }) {
      if (row) {
        const { id, email, name, bio, updated_at } = row;
        yield refresh(user, { id }, { id, email, name, bio, updated_at }, { ttlMs: USER_TTL_MS });
        yield invalidate(userByEmail, { email });
      }
      if (old) {
        yield invalidate(user, { id: old.id });
        yield invalidate(userByEmail, { email: old.email });
      }
    },
  });

  const teams = tableRule(`${schema}.teams`, {
    reads: ['id'],
    readsOld: ['id'],
    produces: [team],
    *keys({ new: row, old }) {
      for (const r of [row, old]) if (r) yield invalidate(team, { id: r.id });
    },
  });

  // Fan-out: a membership change stales the team's member list and the user's team list, and
  // the team's member-id set gains or loses the user (the rule says what a row belongs to; the
  // invalidator removes what the old row belonged to and the new row does not).
  const teamMembersRule = tableRule(`${schema}.team_members`, {
    name: 'team_members',
    reads: ['team_id', 'user_id'],
    readsOld: ['team_id', 'user_id'], // the primary key: sent without REPLICA IDENTITY FULL
    produces: [teamMembers, userTeams, teamMemberIds],
    *keys({ new: row, old }) {
      for (const r of [row, old]) {
        if (!r) continue;
        yield invalidate(teamMembers, { team_id: r.team_id });
        yield invalidate(userTeams, { user_id: r.user_id });
      }
    },
    structures: (row) => [setMember(teamMemberIds, { team_id: row.team_id }, row.user_id)],
  });

  const products = tableRule(`${schema}.products`, {
    reads: ['id', 'sku', 'name', 'price', 'stock', 'units_sold', 'category_id'],
    readsOld: ['id', 'sku', 'category_id'], // old sku and category: need REPLICA IDENTITY FULL
    produces: [product, productBySku, productsByUnitsSold, productsInCategory],
    *keys({ new: row, old }) {
      if (row) {
        const { id, sku, name, price, stock } = row;
        const value = { id, sku, name, price, stock };
        yield refresh(product, { id }, value, { ttlMs: PRODUCT_TTL_MS });
        yield refresh(productBySku, { sku }, value, { ttlMs: PRODUCT_TTL_MS });
        // Any change may alter the listing of the product's category (a NULL category: none).
        yield invalidateTag(productsInCategory, { category_id: row.category_id });
      }
      if (old) {
        yield invalidate(product, { id: old.id });
        yield invalidate(productBySku, { sku: old.sku });
        // A product that left its category leaves that listing too.
        yield invalidateTag(productsInCategory, { category_id: old.category_id });
      }
    },
    // The leaderboard: every product, scored by units sold (ZADD; ZREM when it is deleted).
    structures: (row) => [zset(productsByUnitsSold, {}, row.id, row.units_sold)],
  });

  const orders = tableRule(`${schema}.orders`, {
    reads: ['id', 'user_id'],
    readsOld: ['id', 'user_id'], // old user_id (also on delete): needs REPLICA IDENTITY FULL
    produces: [order, userOrders],
    *keys({ new: row, old }) {
      for (const r of [row, old]) {
        if (!r) continue;
        yield invalidate(order, { id: r.id });
        yield invalidate(userOrders, { user_id: r.user_id });
      }
    },
  });

  return defineRules(users, teams, teamMembersRule, products, orders);
}

/** The example rules for the `public` schema and the `app` keyspace. */
export const exampleRules: DescribedRuleSet = createExampleRules();
