import { sleep } from '@freshen/runtime';
import type { CachedReads } from '../data/cached-reads.ts';
import type { ExampleStore } from '../data/example-store.ts';
import { HttpError } from '../http/http-error.ts';
import type { Fixture } from './fixture.ts';

export interface WorkloadOptions {
  reads: CachedReads;
  store: ExampleStore;
  fixture: Fixture;
  durationMs: number;
  /** Concurrent reading loops (getOrLoad through CachedReads). */
  readers: number;
  /** Concurrent writing loops (straight to Postgres). */
  writers: number;
  /**
   * Each writer pauses up to this long (random) between writes. Unthrottled writers outrun the
   * pipeline on a laptop, and a backlog hides the race (invalidations land after every fill).
   */
  writePauseMs?: number;
  /** Stops early when aborted. */
  signal?: AbortSignal;
  random?: () => number;
}

export interface WorkloadCounts {
  reads: number;
  writes: number;
  /** Reads or writes that threw (a conflict a writer caused, or a failure). */
  errors: number;
}

/**
 * A mixed workload over a fixture: readers read every cached shape (profiles, email lookups,
 * member lists, products by id and sku, order lists) while writers change exactly those rows
 * (emails, memberships, prices, stock, new orders), so reads race writes all the time.
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadCounts> {
  const { reads, store, fixture, signal } = options;
  const random = options.random ?? Math.random;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const counts: WorkloadCounts = { reads: 0, writes: 0, errors: 0 };
  const deadline = Date.now() + options.durationMs;
  const running = () => Date.now() < deadline && !signal?.aborted;
  let emailVersion = 0;

  const readOnce = async () => {
    const choice = random();
    if (choice < 0.3) await reads.user(pick(fixture.userIds));
    else if (choice < 0.45) await reads.userByEmail(pick(fixture.emails));
    else if (choice < 0.6) await reads.teamMembers(pick(fixture.teamIds));
    else if (choice < 0.75) await reads.product(pick(fixture.productIds));
    else if (choice < 0.9) await reads.productBySku(pick(fixture.skus));
    else await reads.userOrders(pick(fixture.userIds));
  };

  const writeOnce = async () => {
    const choice = random();
    if (choice < 0.3) {
      const email = `user-${++emailVersion}-${Math.floor(random() * 1e9)}@example.com`;
      fixture.emails.push(email);
      await store.updateUserEmail(pick(fixture.userIds), email);
    } else if (choice < 0.5) {
      const [team, user] = [pick(fixture.teamIds), pick(fixture.userIds)];
      if (!(await store.addTeamMember(team, user, 'member')))
        await store.removeTeamMember(team, user);
    } else if (choice < 0.8) {
      await store.updateProduct(pick(fixture.productIds), {
        price: (1 + Math.floor(random() * 9999) / 100).toFixed(2),
        stock: 1_000_000 + Math.floor(random() * 1000),
      });
    } else {
      await store.createOrder(pick(fixture.userIds), pick(fixture.productIds), 1);
    }
  };

  const loop = async (step: () => Promise<void>, counter: 'reads' | 'writes', pauseMs = 0) => {
    while (running()) {
      try {
        await step();
        counts[counter]++;
      } catch (error) {
        if (!(error instanceof HttpError)) counts.errors++;
      }
      if (pauseMs > 0) await sleep(random() * pauseMs);
    }
  };
  await Promise.all([
    ...Array.from({ length: options.readers }, () => loop(readOnce, 'reads')),
    ...Array.from({ length: options.writers }, () =>
      loop(writeOnce, 'writes', options.writePauseMs),
    ),
  ]);
  return counts;
}

/**
 * The store, with every read (a cache loader) held for a random time up to `maxDelayMs` after
 * it has read its row: a slow query or a GC pause. It widens the window in which a write and
 * its invalidation can land between a reader's load and its fill, the window leases close.
 */
export function withSlowLoads(
  store: ExampleStore,
  maxDelayMs: number,
  random = Math.random,
): ExampleStore {
  const reads = new Set([
    'user',
    'userIdByEmail',
    'team',
    'teamMembers',
    'product',
    'productBySku',
    'order',
    'userOrders',
  ]);
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !reads.has(String(property))) return value;
      return async (...args: unknown[]) => {
        const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(
          target,
          args,
        )) as unknown;
        await sleep(random() * maxDelayMs);
        return result;
      };
    },
  });
}
