import { sleep } from '@freshen/runtime';
import { type CachedReads, type ExampleStore, StoreError } from '@freshen/example';
import type { Fixture } from './fixture.ts';
import { isWriteConflict, type HardWrites } from './hard-writes.ts';

/** The harder writes of issue 9, mixed into the workload (see HardWrites). */
export interface HardWorkload {
  writes: HardWrites;
  /** Primary-key moves of users spread over the run. */
  pkMoves: number;
  /** One long transaction: opened at 10 % of the run, committed at 60 % (retried with another user if its user moved meanwhile). */
  longTransaction: boolean;
}

/** A step run at a fixed offset into the run, one after another (a truncate, a failover). */
export interface ScheduledStep {
  atMs: number;
  name: string;
  run(): Promise<void>;
}

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
  /** Adds PK moves, delete + re-insert, double updates, a long transaction, order reads. */
  hard?: HardWorkload;
  /** Run in order at their offsets; the workload fails if one throws. */
  scheduled?: readonly ScheduledStep[];
}

export interface WorkloadCounts {
  reads: number;
  writes: number;
  /** Reads or writes that threw (a conflict a writer caused, or a failure). */
  errors: number;
  /** Hard writes rolled back by a foreign key, unique or deadlock error (by design; not errors). */
  conflicts: number;
  /** Primary-key moves committed. */
  pkMoves: number;
  /** Users deleted and re-inserted with the same id in one transaction. */
  deleteReinserts: number;
  /** Transactions that updated one row twice. */
  doubleUpdates: number;
  /** Writes committed by the long transaction (0 or all of them). */
  longTransactionWrites: number;
  /** Errors by Postgres SQLSTATE or error code/name (never messages: they may hold values). */
  errorKinds: Record<string, number>;
}

/**
 * A mixed workload over a fixture: readers read every cached shape (profiles, email lookups,
 * member lists, products by id and sku, category listings, order lists) while writers change
 * exactly those rows (emails, memberships, prices, stock, categories, new orders: the last also
 * moves the leaderboard), so reads race writes all the time.
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadCounts> {
  const { reads, store, fixture, signal } = options;
  const random = options.random ?? Math.random;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const counts: WorkloadCounts = {
    reads: 0,
    writes: 0,
    errors: 0,
    conflicts: 0,
    pkMoves: 0,
    deleteReinserts: 0,
    doubleUpdates: 0,
    longTransactionWrites: 0,
    errorKinds: {},
  };
  const started = Date.now();
  const deadline = started + options.durationMs;
  const failed = new AbortController();
  const running = () => Date.now() < deadline && !signal?.aborted && !failed.signal.aborted;
  let emailVersion = 0;
  const newEmail = () => `user-${++emailVersion}-${Math.floor(random() * 1e9)}@example.com`;
  // Rows the long transaction holds locks on: other writers leave them alone meanwhile.
  const busy = new Set<string>();
  const pickFree = (items: readonly string[]): string => {
    const free = items.filter((item) => !busy.has(item));
    return pick(free.length > 0 ? free : items);
  };
  const { hard } = options;

  const readOnce = async () => {
    if (hard) {
      const extra = random();
      if (extra < 0.1 && fixture.formerUserIds.length > 0) {
        const id = pick(fixture.formerUserIds);
        await (random() < 0.5 ? reads.user(id) : reads.userOrders(id));
        return;
      }
      if (extra < 0.25 && fixture.orderIds.length > 0) {
        await reads.order(pick(fixture.orderIds), random() < 0.5 ? ['status'] : ['status', 'qty']);
        return;
      }
    }
    const choice = random();
    if (choice < 0.3) await reads.user(pick(fixture.userIds));
    else if (choice < 0.45) await reads.userByEmail(pick(fixture.emails));
    else if (choice < 0.6) await reads.teamMembers(pick(fixture.teamIds));
    else if (choice < 0.75) await reads.product(pick(fixture.productIds));
    else if (choice < 0.85) await reads.productBySku(pick(fixture.skus));
    else if (choice < 0.93) await reads.categoryProducts(pick(fixture.categoryIds));
    else await reads.userOrders(pick(fixture.userIds));
  };

  const price = () => (1 + Math.floor(random() * 9999) / 100).toFixed(2);

  const hardWriteOnce = async (writes: HardWrites) => {
    const choice = random();
    if (choice < 0.25) {
      if (await writes.deleteAndReinsertUser(pickFree(fixture.userIds))) counts.deleteReinserts++;
    } else if (choice < 0.5) {
      await writes.updateProductTwice(
        pickFree(fixture.productIds),
        [price(), price()],
        1_000_000 + Math.floor(random() * 1000),
      );
      counts.doubleUpdates++;
    } else if (choice < 0.75) {
      const emails: [string, string] = [newEmail(), newEmail()];
      fixture.emails.push(...emails);
      await writes.updateEmailTwice(pickFree(fixture.userIds), emails);
      counts.doubleUpdates++;
    } else if (fixture.orderIds.length > 0) {
      await writes.updateOrderStatus(pick(fixture.orderIds), pick(['paid', 'shipped', 'returned']));
    }
  };

  const writeOnce = async () => {
    if (hard && random() < 0.25) return hardWriteOnce(hard.writes);
    const choice = random();
    if (choice < 0.3) {
      const email = newEmail();
      fixture.emails.push(email);
      await store.updateUserEmail(pickFree(fixture.userIds), email);
    } else if (choice < 0.5) {
      const [team, user] = [pick(fixture.teamIds), pickFree(fixture.userIds)];
      if (!(await store.addTeamMember(team, user, 'member')))
        await store.removeTeamMember(team, user);
    } else if (choice < 0.7) {
      await store.updateProduct(pickFree(fixture.productIds), {
        price: price(),
        stock: 1_000_000 + Math.floor(random() * 1000),
      });
    } else if (choice < 0.8) {
      // Out of one category listing and into another (sometimes into none).
      const category = random() < 0.1 ? null : pick(fixture.categoryIds);
      await store.setProductCategory(pickFree(fixture.productIds), category);
    } else {
      const order = await store.createOrder(
        pickFree(fixture.userIds),
        pickFree(fixture.productIds),
        1,
      );
      fixture.orderIds.push(order.id);
    }
  };

  const attempt = async (step: () => Promise<void>, counter?: 'reads' | 'writes') => {
    try {
      await step();
      if (counter) counts[counter]++;
    } catch (error) {
      if (isWriteConflict(error)) counts.conflicts++;
      else if (!(error instanceof StoreError)) {
        counts.errors++;
        const { code, name } = error as { code?: string; name?: string };
        const kind = code ?? name ?? 'unknown';
        counts.errorKinds[kind] = (counts.errorKinds[kind] ?? 0) + 1;
      }
    }
  };
  const loop = async (step: () => Promise<void>, counter: 'reads' | 'writes', pauseMs = 0) => {
    while (running()) {
      await attempt(step, counter);
      if (pauseMs > 0) await sleep(random() * pauseMs);
    }
  };

  const mover = async (writes: HardWrites, moves: number) => {
    const everyMs = options.durationMs / (moves + 1);
    for (let next = started + everyMs; running(); next += everyMs) {
      await sleep(Math.max(0, next - Date.now()));
      if (!running()) break;
      const id = pickFree(fixture.userIds);
      if (busy.has(id)) continue;
      await attempt(async () => {
        const newId = await writes.moveUser(id);
        if (newId === undefined) return;
        fixture.userIds[fixture.userIds.indexOf(id)] = newId;
        fixture.formerUserIds.push(id);
        counts.pkMoves++;
        counts.writes++;
      });
    }
  };

  const longTransaction = async (writes: HardWrites) => {
    await sleep(options.durationMs * 0.1);
    const commitAt = started + options.durationMs * 0.6;
    // A user picked while a move of it was under way is gone: pick again (a few times).
    for (let tries = 0; tries < 5 && running() && counts.longTransactionWrites === 0; tries++) {
      const user = pickFree(fixture.userIds);
      const product = pickFree(fixture.productIds);
      busy.add(user).add(product);
      const email = newEmail();
      fixture.emails.push(email);
      try {
        await attempt(async () => {
          counts.longTransactionWrites = await writes.longTransaction(user, product, email, () =>
            sleep(Math.max(0, commitAt - Date.now())),
          );
          if (counts.longTransactionWrites > 0) counts.writes++;
        });
      } finally {
        busy.delete(user);
        busy.delete(product);
      }
    }
  };

  let stepFailure: unknown;
  const conductor = async () => {
    try {
      for (const step of options.scheduled ?? []) {
        await sleep(Math.max(0, started + step.atMs - Date.now()));
        if (signal?.aborted) return;
        await step.run();
      }
    } catch (error) {
      stepFailure = error;
      failed.abort();
    }
  };

  await Promise.all([
    ...Array.from({ length: options.readers }, () => loop(readOnce, 'reads')),
    ...Array.from({ length: options.writers }, () =>
      loop(writeOnce, 'writes', options.writePauseMs),
    ),
    ...(hard && hard.pkMoves > 0 ? [mover(hard.writes, hard.pkMoves)] : []),
    ...(hard?.longTransaction ? [longTransaction(hard.writes)] : []),
    conductor(),
  ]);
  if (stepFailure !== undefined) throw stepFailure;
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
    'categoryProducts',
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
