import { defineKeyspace } from '@freshen/keys';

/**
 * The example keyspace. `prefix` lets tests and benchmarks use their own keys in a shared Redis
 * (pass uniqueName('t')); the application and the invalidator must use the same prefix.
 */
export function createExampleKeys(prefix = 'app') {
  const space = defineKeyspace({ prefix });
  return {
    /** A user's profile: `app:user:42`. */
    user: space.kind('user', ['id']),
    /** User id by email: `app:user-by-email:ann%40example.com`. */
    userByEmail: space.kind('user-by-email', ['email']),
    team: space.kind('team', ['id']),
    /** A team's member list; tagged so a team's keys can share a cluster slot: `app:team-members:{7}`. */
    teamMembers: space.kind('team-members', ['team_id'], { hashTag: 'team_id' }),
    /** A team's member ids as a Redis set kept by the rules (SADD/SREM): `app:team-member-ids:{7}`. */
    teamMemberIds: space.kind('team-member-ids', ['team_id'], { hashTag: 'team_id' }),
    /** The teams a user belongs to. */
    userTeams: space.kind('user-teams', ['user_id']),
    product: space.kind('product', ['id']),
    productBySku: space.kind('product-by-sku', ['sku']),
    /** Every product id scored by units sold, a sorted set kept by the rules: `app:products-by-units-sold`. */
    productsByUnitsSold: space.kind('products-by-units-sold', []),
    /**
     * A category's product listing, a query result cached with the tag below (the rules cannot
     * name it from one row): `app:category-products:{3}`.
     */
    categoryProducts: space.kind('category-products', ['category_id'], { hashTag: 'category_id' }),
    /**
     * Tag of every listing of a category's products; the products rule invalidates it for the
     * old and the new category of a changed product. Same hash tag as the listings, so on
     * Redis Cluster the tagged fill checks it atomically: `app:products-in-category:{3}`.
     */
    productsInCategory: space.tag('products-in-category', ['category_id'], {
      hashTag: 'category_id',
    }),
    /** A user's order list. */
    userOrders: space.kind('user-orders', ['user_id']),
    order: space.kind('order', ['id']),
  };
}

export type ExampleKeys = ReturnType<typeof createExampleKeys>;

/** The example kinds with the default prefix `app`. */
export const exampleKeys: ExampleKeys = createExampleKeys();
