import type { CacheClient } from '@freshen/cache';
import type { ExampleKeys } from '../keys.ts';
import type { ExampleStore } from './example-store.ts';
import type { Membership, Order, Product, Team, User } from './rows.ts';

export type OrderField = keyof Order;

/**
 * Reads through the cache, one key kind per question, with the keys the invalidator's example
 * rules invalidate or refresh. "No such row" is cached as null: the rules delete or refresh the
 * key when the row appears.
 */
export class CachedReads {
  private readonly cache: CacheClient;
  private readonly keys: ExampleKeys;
  private readonly store: ExampleStore;
  private readonly options: { ttlMs: number };

  constructor(cache: CacheClient, keys: ExampleKeys, store: ExampleStore, ttlMs: number) {
    this.cache = cache;
    this.keys = keys;
    this.store = store;
    this.options = { ttlMs };
  }

  user(id: string): Promise<User | null> {
    return this.cache.getOrLoad(
      this.keys.user.key({ id }),
      () => this.store.user(id),
      this.options,
    );
  }

  /** Email → id (its own key, deleted on any change of that email), then the profile. */
  async userByEmail(email: string): Promise<User | null> {
    const key = this.keys.userByEmail.key({ email });
    const id = await this.cache.getOrLoad(key, () => this.store.userIdByEmail(email), this.options);
    return id === null ? null : this.user(id);
  }

  team(id: string): Promise<Team | null> {
    return this.cache.getOrLoad(
      this.keys.team.key({ id }),
      () => this.store.team(id),
      this.options,
    );
  }

  teamMembers(teamId: string): Promise<Membership[]> {
    const key = this.keys.teamMembers.key({ team_id: teamId });
    return this.cache.getOrLoad(key, () => this.store.teamMembers(teamId), this.options);
  }

  product(id: string): Promise<Product | null> {
    return this.cache.getOrLoad(
      this.keys.product.key({ id }),
      () => this.store.product(id),
      this.options,
    );
  }

  productBySku(sku: string): Promise<Product | null> {
    return this.cache.getOrLoad(
      this.keys.productBySku.key({ sku }),
      () => this.store.productBySku(sku),
      this.options,
    );
  }

  /**
   * A category's products: a query result no single row's key names, so it is cached with
   * the category's tag, which the products rule invalidates when any product joins, leaves
   * or changes in the category.
   */
  categoryProducts(categoryId: string): Promise<Product[]> {
    return this.cache.getOrLoad(
      this.keys.categoryProducts.key({ category_id: categoryId }),
      () => this.store.categoryProducts(categoryId),
      { ...this.options, tags: [this.keys.productsInCategory.tag({ category_id: categoryId })] },
    );
  }

  userOrders(userId: string): Promise<Order[]> {
    return this.cache.getOrLoad(
      this.keys.userOrders.key({ user_id: userId }),
      () => this.store.userOrders(userId),
      this.options,
    );
  }

  /** Some fields of an order, cached as a hash (the order rules only delete, never refresh). */
  order<F extends OrderField>(id: string, fields: readonly F[]): Promise<Pick<Order, F> | null> {
    return this.cache.getFieldsOrLoad(
      this.keys.order.key({ id }),
      fields,
      () => this.store.order(id),
      this.options,
    );
  }
}
