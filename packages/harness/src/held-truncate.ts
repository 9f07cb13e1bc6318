import { notYet, waitFor } from '@freshen/runtime';
import type { CacheClient, CacheRead } from '@freshen/cache';
import { type ExampleKeys, type ExampleStore } from '@freshen/example';
import type { Fixture } from './fixture.ts';
import type { HardWrites, TruncatedTable } from './hard-writes.ts';

export interface HeldTruncateFigures {
  table: TruncatedTable;
  /** Rows the truncate removed. */
  removed: number;
  /** Reads that missed and had loaded pre-truncate rows when the truncate committed. */
  held: number;
  /** Of those, fills Redis accepted after the truncate was applied (must be 0 with leases). */
  heldFillsWritten: number;
  /** Fills refused (the lease or a fence said no). */
  heldFillsRefused: number;
  /** Removed rows inserted again afterwards. */
  reinserted: number;
  /** Seconds from the truncate's commit until every partition of its topic applied it. */
  appliedSeconds: number;
}

/**
 * Issue 9's second bug, inside the workload: `holds` readers miss keys the table's rules
 * produce (orders: `order` hashes and `user-orders` lists; team_members: `team-members`) and
 * load them, then hold their values; the table is truncated; once the invalidators applied the
 * truncate on every partition the loads are let go and try to fill. Every such fill began
 * before the truncate, so each must be refused. Then about half the removed rows not held
 * come back (changed), as an application re-filling a table would.
 */
export async function truncateWithHeldLoads(options: {
  table: TruncatedTable;
  cache: CacheClient;
  keys: ExampleKeys;
  store: ExampleStore;
  writes: HardWrites;
  fixture: Fixture;
  holds: number;
  ttlMs: number;
  /** Resolves once every partition of the table's topic applied what was committed before. */
  waitForApplied: () => Promise<void>;
  random?: () => number;
}): Promise<HeldTruncateFigures> {
  const { cache, keys, store, fixture, table } = options;
  const random = options.random ?? Math.random;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let loaded = 0;
  const held = async <T>(load: () => Promise<T>): Promise<T> => {
    const value = await load();
    loaded++;
    await gate;
    return value;
  };

  type Candidate = { kind: 'order' | 'user-orders' | 'team-members'; id: string };
  // Order hashes and order lists alternate, so both kinds are held.
  const candidates: Candidate[] =
    table === 'orders'
      ? interleave<Candidate>(
          shuffle(
            // Orders that exist: most of fixture.orderIds are gone after an earlier truncate.
            (await options.writes.orderIds()).map((id) => ({ kind: 'order' as const, id })),
            random,
          ),
          shuffle(
            fixture.userIds.map((id) => ({ kind: 'user-orders' as const, id })),
            random,
          ),
        )
      : shuffle(
          fixture.teamIds.map((id) => ({ kind: 'team-members' as const, id })),
          random,
        );
  const reads: Promise<CacheRead<unknown>>[] = [];
  const heldOrders = new Set<string>();
  for (const candidate of candidates) {
    if (reads.length >= options.holds) break;
    const key =
      candidate.kind === 'order'
        ? keys.order.key({ id: candidate.id })
        : candidate.kind === 'user-orders'
          ? keys.userOrders.key({ user_id: candidate.id })
          : keys.teamMembers.key({ team_id: candidate.id });
    if ((await cache.redis.exists(key)) === 1) continue; // a hit would not load
    const ttl = { ttlMs: options.ttlMs };
    if (candidate.kind === 'order') heldOrders.add(candidate.id);
    reads.push(
      candidate.kind === 'order'
        ? cache.readFields(key, ['status', 'qty'], () => held(() => store.order(candidate.id)), ttl)
        : candidate.kind === 'user-orders'
          ? cache.read(key, () => held(() => store.userOrders(candidate.id)), ttl)
          : cache.read(key, () => held(() => store.teamMembers(candidate.id)), ttl),
    );
  }
  const settled = new Set<number>();
  reads.forEach((read, index) => void read.finally(() => settled.add(index)).catch(() => {}));
  await waitFor(
    async () => (loaded + settled.size >= reads.length ? true : notYet(`${loaded} loaded`)),
    {
      timeoutMs: 10_000,
      description: 'held reads to load',
      intervalMs: 5,
    },
  );
  const heldCount = loaded;

  let removed: Record<string, string>[] = [];
  let appliedSeconds = 0;
  try {
    removed = await options.writes.truncate(table);
    const started = performance.now();
    await options.waitForApplied();
    appliedSeconds = (performance.now() - started) / 1000;
  } finally {
    release();
  }
  const outcomes = await Promise.allSettled(reads);
  let written = 0;
  let refused = 0;
  for (const outcome of outcomes) {
    if (outcome.status !== 'fulfilled' || outcome.value.source !== 'loader') continue;
    if (outcome.value.fill === 'written') written++;
    if (outcome.value.fill === 'refused') refused++;
  }
  // Held order keys are not among them: nothing else writes a truncated order, so a held fill
  // that got through stays in the cache for the check to see (without leases it always does).
  const again = removed.filter((row) => !heldOrders.has(row.id ?? '') && random() < 0.5);
  const reinserted = await options.writes.reinsert(table, again);
  return {
    table,
    removed: removed.length,
    held: heldCount,
    heldFillsWritten: written,
    heldFillsRefused: refused,
    reinserted,
    appliedSeconds,
  };
}

function interleave<T>(a: T[], b: T[]): T[] {
  const mixed: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) mixed.push(a[i]!);
    if (i < b.length) mixed.push(b[i]!);
  }
  return mixed;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
