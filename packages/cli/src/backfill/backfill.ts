import { RedisApplier } from '@freshen/invalidator/apply';
import type { RuleSet } from '@freshen/rules';
import { isFreshenError } from '@freshen/runtime';
import { eventVersion } from '@freshen/storage';
import type { Cluster, Redis } from 'ioredis';
import { rowEvent } from '../rows/row-event.ts';
import type { TableRows } from '../rows/table-rows.ts';
import { writeCheckpoint, type BackfillCheckpoint } from './checkpoint.ts';
import { RateLimit } from './rate-limit.ts';

/**
 * The lowest version: a backfill delete leaves a key's refresh version (its tombstone) exactly
 * as it was, never lower (that would let an older refresh back in) and never higher (the
 * backfill knows no LSN for what it read). docs/architecture.md, "Backfill".
 */
const NO_VERSION = eventVersion({ lsn: '0/0', seq: 0 });

export interface BackfillOptions {
  table: TableRows;
  rules: RuleSet;
  redis: Redis | Cluster;
  where: string | undefined;
  batchSize: number;
  /** Rows per second at most; undefined for as fast as Postgres and Redis go. */
  rate: number | undefined;
  checkpointFile: string;
  /** Where to start: a checkpoint to resume, or a fresh one. */
  checkpoint: BackfillCheckpoint;
  signal: AbortSignal;
  onBatch(checkpoint: BackfillCheckpoint): void;
}

export interface BackfillResult {
  checkpoint: BackfillCheckpoint;
  /** False when interrupted (the checkpoint says where to resume). */
  complete: boolean;
  /** Rows whose rule threw: their keys were not found (named in `ruleErrors`, no row values). */
  failedRows: number;
  ruleErrors: string[];
}

/**
 * Invalidates every key the table's current rows produce, in primary-key order, a batch at a
 * time: each batch's keys are deleted exactly as the invalidator deletes them (the key and its
 * fill lease go; a refreshed key's version stays as its tombstone: RedisApplier), then the
 * checkpoint moves past the batch. Refreshes
 * are applied as deletes: see docs/architecture.md, "Backfill", for why that is the only safe
 * action while the pipeline runs.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { table, rules, signal } = options;
  const applier = new RedisApplier(options.redis);
  const limit = new RateLimit(options.rate, options.checkpoint.done);
  const checkpoint = { ...options.checkpoint };
  const ruleErrors = new Set<string>();
  let failedRows = 0;
  while (!signal.aborted) {
    const rows = await table.batchAfter(
      checkpoint.after.length > 0 ? checkpoint.after : undefined,
      options.batchSize,
      options.where,
    );
    if (rows.length === 0)
      return { checkpoint, complete: true, failedRows, ruleErrors: [...ruleErrors] };
    const keys = new Set<string>();
    for (const { key, row } of rows) {
      try {
        for (const action of rules.evaluate(
          rowEvent(table.schema, table.table, 'insert', key, row),
        ))
          keys.add(action.key);
      } catch (error) {
        failedRows++;
        // A FreshenError's message names the table and rule, never row values.
        ruleErrors.add(isFreshenError(error) ? error.message : 'a rule threw');
      }
    }
    await applier.apply({
      deletes: [...keys].map((key) => ({ key, version: NO_VERSION, refreshedBefore: false })),
      refreshes: [],
    });
    checkpoint.after = rows.at(-1)!.position;
    checkpoint.done += rows.length;
    checkpoint.keys += keys.size;
    writeCheckpoint(options.checkpointFile, checkpoint);
    options.onBatch(checkpoint);
    await limit.wait(checkpoint.done, signal);
  }
  return { checkpoint, complete: false, failedRows, ruleErrors: [...ruleErrors] };
}
