import { RedisApplier } from '@freshen/invalidator/apply';
import type { RuleSet, StructureAction } from '@freshen/rules';
import { isFreshenError } from '@freshen/runtime';
import { eventVersion } from '@freshen/storage';
import type { Cluster, Redis } from 'ioredis';
import { rowEvent } from '../rows/row-event.ts';
import type { TableRows } from '../rows/table-rows.ts';
import { writeCheckpoint, type BackfillCheckpoint } from './checkpoint.ts';
import { RateLimit } from './rate-limit.ts';
import { keepsStructures, StructureRebuild, type StructureFigures } from './structure-rebuild.ts';

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
  /** The structures the rows keep (rebuilt in place: StructureRebuild). */
  structures: StructureFigures;
}

/**
 * Invalidates every key the table's current rows produce, in primary-key order, a batch at a
 * time: each batch's keys are deleted exactly as the invalidator deletes them (the key and its
 * fill lease go; a refreshed key's version stays as its tombstone: RedisApplier), then the
 * checkpoint moves past the batch. Refreshes
 * are applied as deletes: see docs/architecture.md, "Backfill", for why that is the only safe
 * action while the pipeline runs. Structures the rows keep are rebuilt in place, fenced by
 * member versions (StructureRebuild; the same section says why that is safe).
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { table, rules, signal } = options;
  const applier = new RedisApplier(options.redis);
  const limit = new RateLimit(options.rate, options.checkpoint.done);
  const checkpoint = { ...options.checkpoint };
  const ruleErrors = new Set<string>();
  let failedRows = 0;
  const name = `${table.schema}.${table.table}`;
  const rebuild = new StructureRebuild(options.redis, rules, name);
  // Structures are written with WAL positions; tables of keys only need none (and no wait).
  const structures = keepsStructures(rules, name);
  const position = () => (structures ? table.walPosition() : undefined);
  // The sweep needs every row of the table seen by this run, from before its first batch.
  const sweepSkipped =
    checkpoint.after.length > 0
      ? 'the backfill resumed from a checkpoint; run it with --restart to sweep'
      : options.where !== undefined
        ? '--where limits the rows, so members of other rows would look gone'
        : undefined;
  const result = (complete = true): BackfillResult => ({
    checkpoint,
    complete,
    failedRows,
    ruleErrors: [...ruleErrors],
    structures: rebuild.figures,
  });
  const startPosition = await position();
  const finish = async (): Promise<BackfillResult> => {
    const skip = sweepSkipped ?? (failedRows > 0 ? 'a rule failed for some rows' : undefined);
    if (startPosition === undefined) return result();
    if (skip === undefined)
      await rebuild.sweep(rules.truncatePatterns(table.schema, table.table), startPosition);
    else rebuild.figures.sweepSkipped = skip;
    return result();
  };
  while (!signal.aborted) {
    const walPosition = await position();
    const rows = await table.batchAfter(
      checkpoint.after.length > 0 ? checkpoint.after : undefined,
      options.batchSize,
      options.where,
    );
    if (rows.length === 0) return finish();
    const keys = new Set<string>();
    const members: StructureAction[] = [];
    for (const { key, row } of rows) {
      try {
        const event = rowEvent(table.schema, table.table, 'insert', key, row);
        for (const action of rules.evaluate(event)) keys.add(action.key);
        members.push(...(rules.evaluateStructures?.(event) ?? []));
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
    if (walPosition !== undefined) await rebuild.write(members, walPosition);
    checkpoint.after = rows.at(-1)!.position;
    checkpoint.done += rows.length;
    checkpoint.keys += keys.size;
    writeCheckpoint(options.checkpointFile, checkpoint);
    options.onBatch(checkpoint);
    await limit.wait(checkpoint.done, signal);
  }
  return result(false);
}
