import { CacheClient } from '@freshen/cache';
import { createExampleKeys } from '@freshen/example';
import { withCompanions } from '@freshen/keys';
import { MINUTE } from '@freshen/runtime';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { CachedReads } from '../data/cached-reads.ts';
import type { ExampleStore } from '../data/example-store.ts';
import type { Fixture } from './fixture.ts';
import type { Pipeline } from './pipeline.ts';
import { findStaleKeys, type StaleKey } from './stale-check.ts';
import { runWorkload, withSlowLoads, type WorkloadCounts } from './workload.ts';

export interface ConsistencyResult extends WorkloadCounts {
  leases: boolean;
  /** Cached keys compared with their rows after the pipeline drained. */
  checked: number;
  stale: StaleKey[];
  /** Fills the lease script refused because an invalidation took the lease while loading. */
  fillsRefused: number;
  /** Seconds from the end of the workload until the pipeline had applied every change. */
  drainSeconds: number;
}

/**
 * One consistency measurement (DESIGN.md, "Measuring it"): readers race writers through the
 * cache for a while, the pipeline drains, then every cached key is compared with its row.
 * Keys of the keyspace are deleted first, so each run starts cold.
 */
export async function runConsistencyCheck(options: {
  redis: Redis;
  pipeline: Pipeline;
  store: ExampleStore;
  db: pg.Client;
  fixture: Fixture;
  keyPrefix: string;
  leases: boolean;
  durationMs: number;
  readers: number;
  writers: number;
  loadDelayMs: number;
  writePauseMs: number;
}): Promise<ConsistencyResult> {
  const { redis, pipeline, store } = options;
  const keys = createExampleKeys(options.keyPrefix);
  await deleteKeyspace(redis, options.keyPrefix);
  // TTL far beyond the run: a stale value must be caught by the check, not hidden by expiry.
  const ttlMs = 30 * MINUTE;
  const cache = new CacheClient(redis, { leases: options.leases, ttlMs });
  const reads = new CachedReads(cache, keys, withSlowLoads(store, options.loadDelayMs), ttlMs);
  const counts = await runWorkload({
    reads,
    store,
    fixture: options.fixture,
    durationMs: options.durationMs,
    readers: options.readers,
    writers: options.writers,
    writePauseMs: options.writePauseMs,
  });
  const drainStarted = performance.now();
  await pipeline.waitForDrain();
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const report = await findStaleKeys(redis, keys, store);
  const refused = (await cache.metrics.fillsRefused.get()).values[0]?.value ?? 0;
  return {
    leases: options.leases,
    ...counts,
    checked: report.checked,
    stale: report.stale,
    fillsRefused: refused,
    drainSeconds,
  };
}

/**
 * Deletes every key of the example keyspace (SCAN with each kind's pattern) with its lease and
 * version. Leases of keys never filled are not found this way; they expire within leaseTtlMs.
 */
export async function deleteKeyspace(redis: Redis, prefix: string): Promise<void> {
  for (const kind of Object.values(createExampleKeys(prefix))) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', kind.pattern(), 'COUNT', 1000);
      if (found.length > 0) await redis.unlink(...found.flatMap(withCompanions));
      cursor = next;
    } while (cursor !== '0');
  }
}
