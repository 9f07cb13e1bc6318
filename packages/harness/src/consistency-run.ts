import { CacheClient, type RedisClient } from '@freshen/cache';
import { createExampleKeys, CachedReads, type ExampleStore } from '@freshen/example';
import { structureKeysFor, withCompanions } from '@freshen/keys';
import { MINUTE } from '@freshen/runtime';
import type pg from 'pg';
import type { Fixture } from './fixture.ts';
import { HardWrites, type TruncatedTable } from './hard-writes.ts';
import { truncateWithHeldLoads, type HeldTruncateFigures } from './held-truncate.ts';
import { scanKeys } from './keyspace-scan.ts';
import { NearReadAudit, type NearReadFigures } from './near-read-audit.ts';
import type { Pipeline, ReaderFailover } from './pipeline.ts';
import { RunHistory } from './run-history.ts';
import { buildStructures } from './build-structures.ts';
import { STALE_CAUSES, type StaleCause } from './stale-cause.ts';
import { findStaleKeys, type StaleKey } from './stale-check.ts';
import { runWorkload, withSlowLoads, type ScheduledStep, type WorkloadCounts } from './workload.ts';

/** The harder run of issue 9 (see HardWrites, truncateWithHeldLoads, Pipeline.failOverReader). */
export interface HardRunOptions {
  /** Pool for the hard writes (PG_SESSION_OPTIONS), and the schema they write. */
  pool: pg.Pool;
  schema: string;
  /** Primary-key moves spread over the run. */
  pkMoves: number;
  /** TRUNCATE orders at 30 % and team_members at 75 % of the run, each with held loads. */
  truncates: boolean;
  /** Reads held across each truncate. */
  heldLoads: number;
  longTransaction: boolean;
  /** Kill the streaming cdc-reader at 50 % of the run (needs a standby reader). */
  failover?: 'SIGKILL' | 'SIGTERM';
}

/**
 * The readers' near cache: off, on (every near hit audited against `boundMs`), or on with its
 * invalidations dropped (the negative control: the audit must find late reads).
 */
export interface NearRunOptions {
  delivery: boolean;
  boundMs: number;
}

export interface ConsistencyResult extends WorkloadCounts {
  leases: boolean;
  /** False in the negative control of tags: the readers' cache ignored tags. */
  tagFencing: boolean;
  /** Tagged results left out of the comparison: their tag moved, so readers miss them. */
  taggedNotServed: number;
  /** Structures the rules keep, compared with the table. */
  structuresChecked: number;
  /** Present when the readers used a near cache. */
  near?: NearReadFigures & { delivery: boolean };
  /** Cached keys compared with their rows after the pipeline drained. */
  checked: number;
  stale: StaleKey[];
  /** Stale keys by cause (every cause listed, 0 when none). */
  staleByCause: Record<StaleCause, number>;
  /** Fills the lease script refused because an invalidation took the lease while loading. */
  fillsRefused: number;
  /** Seconds from the end of the workload until the pipeline had applied every change. */
  drainSeconds: number;
  /** One entry per truncate with held loads. */
  truncates: HeldTruncateFigures[];
  failover?: ReaderFailover;
}

/**
 * One consistency measurement (docs/architecture.md, "Measuring it"): readers race writers through the
 * cache for a while, the pipeline drains, then every cached key is compared with its row.
 * Keys of the keyspace are deleted first, so each run starts cold. With `hard`, the writers
 * also move primary keys, delete and re-insert keys, update rows twice in one transaction and
 * hold a long transaction open, and the run truncates tables under held loads and fails the
 * cdc-reader over.
 */
export async function runConsistencyCheck(options: {
  redis: RedisClient;
  pipeline: Pipeline;
  store: ExampleStore;
  db: pg.Client;
  fixture: Fixture;
  keyPrefix: string;
  leases: boolean;
  /** Default true; false ignores tags (the check must then find stale tagged results). */
  tagFencing?: boolean;
  durationMs: number;
  readers: number;
  writers: number;
  loadDelayMs: number;
  writePauseMs: number;
  hard?: HardRunOptions;
  near?: NearRunOptions;
}): Promise<ConsistencyResult> {
  const keys = createExampleKeys(options.keyPrefix);
  await deleteKeyspace(options.redis, options.keyPrefix);
  // TTL far beyond the run: a stale value must be caught by the check, not hidden by expiry.
  const ttlMs = 30 * MINUTE;
  // Every cached example kind near (their keys, not their leases or versions); tagged reads
  // skip the near cache, and structures are not cached values.
  const nearPrefixes = cachedKinds(keys).map((kind) => kind.pattern().slice(0, -1));
  const cache = new CacheClient(options.redis, {
    leases: options.leases,
    tagFencing: options.tagFencing ?? true,
    ttlMs,
    ...(options.near ? { nearCache: { prefixes: nearPrefixes } } : {}),
  });
  const audit = options.near
    ? new NearReadAudit(options.redis, nearPrefixes, options.near.boundMs)
    : undefined;
  try {
    if (audit && cache.near) {
      await Promise.all([audit.ready(), cache.nearCacheReady()]);
      audit.watch(cache.near);
      if (!options.near!.delivery) cache.near.dropInvalidationsForFaultTest();
    }
    const result = await measureRun(options, cache, keys, ttlMs);
    return audit
      ? { ...result, near: { ...audit.figures(), delivery: options.near!.delivery } }
      : result;
  } finally {
    audit?.close();
    await cache.close();
  }
}

async function measureRun(
  options: Parameters<typeof runConsistencyCheck>[0],
  cache: CacheClient,
  keys: ReturnType<typeof createExampleKeys>,
  ttlMs: number,
): Promise<ConsistencyResult> {
  const { redis, pipeline, store, hard } = options;
  // Each run starts with every key deleted, structures too: build them again from the WAL.
  await buildStructures(options.db, options.pipeline);
  const reads = new CachedReads(cache, keys, withSlowLoads(store, options.loadDelayMs), ttlMs);
  const history = new RunHistory();
  const writes = hard ? new HardWrites(hard.pool, hard.schema, history) : undefined;
  const truncates: HeldTruncateFigures[] = [];
  let failover: ReaderFailover | undefined;

  // Quiet users: nothing else writes them, so the values their refreshes wrote stay to be
  // compared. Both sets are inserted here (on a new pipeline, the first events of its reader's
  // session); the second changes again while the reader is down (among the first events of
  // the next session).
  const quietUsers = writes && hard!.failover ? await writes.createQuietUsers(10) : [];
  const touchedWhileDown = quietUsers.slice(5);
  const scheduled: ScheduledStep[] = [];
  const truncateStep = (table: TruncatedTable, at: number): ScheduledStep => ({
    atMs: options.durationMs * at,
    name: `truncate ${table}`,
    run: async () => {
      truncates.push(
        await truncateWithHeldLoads({
          table,
          cache,
          keys,
          store,
          writes: writes!,
          fixture: options.fixture,
          holds: hard!.heldLoads,
          ttlMs,
          waitForApplied: () =>
            pipeline.waitForApplied(pipeline.topics.filter((topic) => topic.endsWith(`.${table}`))),
        }),
      );
    },
  });
  if (hard?.truncates) scheduled.push(truncateStep('orders', 0.3));
  if (hard?.failover) {
    const signal = hard.failover;
    scheduled.push({
      atMs: options.durationMs * 0.5,
      name: `reader failover (${signal})`,
      run: async () => {
        failover = await pipeline.failOverReader(signal, () =>
          writes!.touchQuietUsers(touchedWhileDown),
        );
      },
    });
  }
  if (hard?.truncates) scheduled.push(truncateStep('team_members', 0.75));

  const counts = await runWorkload({
    reads,
    store,
    fixture: options.fixture,
    durationMs: options.durationMs,
    readers: options.readers,
    writers: options.writers,
    writePauseMs: options.writePauseMs,
    ...(writes
      ? { hard: { writes, pkMoves: hard!.pkMoves, longTransaction: hard!.longTransaction } }
      : {}),
    scheduled,
  });
  const drainStarted = performance.now();
  await pipeline.waitForDrain();
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const report = await findStaleKeys(redis, keys, store, history);
  const refused = (await cache.metrics.fillsRefused.get()).values[0]?.value ?? 0;
  const staleByCause = Object.fromEntries(STALE_CAUSES.map((cause) => [cause, 0])) as Record<
    StaleCause,
    number
  >;
  for (const key of report.stale) staleByCause[key.cause]++;
  return {
    leases: options.leases,
    tagFencing: options.tagFencing ?? true,
    ...counts,
    checked: report.checked,
    taggedNotServed: report.taggedNotServed,
    structuresChecked: report.structuresChecked,
    stale: report.stale,
    staleByCause,
    fillsRefused: refused,
    drainSeconds,
    truncates,
    ...(failover ? { failover } : {}),
  };
}

/** The example kinds whose keys hold cached values (not tags, not structures the rules keep). */
function cachedKinds(keys: ReturnType<typeof createExampleKeys>) {
  const {
    productsInCategory: _tag,
    productsByUnitsSold: _board,
    teamMemberIds: _ids,
    ...cached
  } = keys;
  return Object.values(cached);
}

/**
 * Deletes every key of the example keyspace (SCAN with each kind's pattern, on every master of
 * a cluster) with its lease and version (and a structure's member versions and tombstones). Leases of keys never filled are not found this way;
 * they expire within leaseTtlMs.
 */
export async function deleteKeyspace(redis: RedisClient, prefix: string): Promise<void> {
  for (const kind of Object.values(createExampleKeys(prefix))) {
    const found = await scanKeys(redis, kind.pattern());
    // One UNLINK per key: a key and its companions share a cluster slot, other keys may not
    // (and a Cluster pipeline must stay within one slot), so keys go in parallel batches.
    for (let start = 0; start < found.length; start += 100) {
      await Promise.all(
        found
          .slice(start, start + 100)
          .map((key) => redis.unlink(...withCompanions(key), ...structureKeysFor(key).slice(1))),
      );
    }
  }
}
