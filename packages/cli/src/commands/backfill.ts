import path from 'node:path';
import { loadRuleSet } from '@freshen/rules';
import { SECOND } from '@freshen/runtime';
import {
  defaultCheckpointPath,
  readCheckpoint,
  removeCheckpoint,
  type BackfillCheckpoint,
} from '../backfill/checkpoint.ts';
import { backfill } from '../backfill/backfill.ts';
import { readCliConfig, requireDatabase, requireRules } from '../cli-config.ts';
import type { Command } from '../cli/command.ts';
import { connectPostgres, connectRedis } from '../cli/connections.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions, positiveInteger } from '../cli/parse-options.ts';
import { UsageError } from '../cli/usage-error.ts';
import { progressBar } from '../progress/progress-bar.ts';
import { READER_LIKE_CLIENT, TableRows } from '../rows/table-rows.ts';

export const backfillCommand: Command = {
  name: 'backfill',
  summary:
    "re-invalidate every key a table's current rows produce (after a restore or a rules change)",
  usage: `usage: freshen backfill --table <schema.table> [--where <sql>] [--rate N] [--batch N]
                        [--checkpoint <file>] [--restart] [--progress-every-ms N] [--rules <module>] [--json]
  Reads the table in primary-key order and deletes every key its rows produce, with the key's
  fill lease, exactly as the invalidator deletes (versions stay; rules that refresh are applied as
  deletes: the next read loads the row; docs/architecture.md "Backfill" says why). Structures
  the rows keep (zset, setMember, hashFields) are rebuilt in place: every member the rows yield
  is written, then members no row yields are removed (not after a resume or with --where), each
  fenced by its member's version. Safe while the pipeline runs.
  --where     SQL condition on the table's rows, e.g. "created_at > now() - interval '1 day'"
  --rate      rows per second at most (default: unthrottled)
  --batch     rows per batch (default 500)
  --checkpoint  progress file (default .freshen/backfill-<schema.table>.json): written after each
              batch; Ctrl-C stops after the batch in flight, and the same command resumes there.
              Removed when the backfill completes. --restart ignores an existing one.
  --progress-every-ms  off a terminal, print a progress line this often (default 5000; 0: never)
  exit 0 complete, 1 a rule threw for some rows, 2 bad arguments, 3 Postgres or Redis
  unreachable, 130 interrupted (resume with the same command)`,
  async run(context) {
    const { values } = parseOptions(context.argv, {
      table: { type: 'string' },
      where: { type: 'string' },
      rate: { type: 'string' },
      batch: { type: 'string' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean' },
      'progress-every-ms': { type: 'string' },
      rules: { type: 'string' },
    });
    if (!values.table) throw new UsageError('--table is required');
    const rate = positiveInteger(values.rate, 'rate');
    const batchSize = positiveInteger(values.batch, 'batch') ?? 500;
    const everyMs =
      values['progress-every-ms'] === '0'
        ? 0
        : (positiveInteger(values['progress-every-ms'], 'progress-every-ms') ?? 5 * SECOND);
    const config = readCliConfig(context.env, context.cwd);
    const rulesModule = requireRules(config, values.rules);
    const rules = await loadRuleSet(rulesModule, {
      cwd: context.cwd,
      setting: values.rules === undefined ? 'RULES_MODULE' : '--rules',
    });
    const db = await connectPostgres(requireDatabase(config), READER_LIKE_CLIENT);
    try {
      const table = await TableRows.open(db, values.table);
      const name = `${table.schema}.${table.table}`;
      if (!rules.hasTable(table.schema, table.table))
        throw new UsageError(`${rulesModule} has no rules for ${name}: its rows produce no key`);
      const checkpointFile = path.resolve(
        context.cwd,
        values.checkpoint ?? defaultCheckpointPath(context.cwd, name),
      );
      const where = values.where ?? null;
      let checkpoint: BackfillCheckpoint | undefined = values.restart
        ? undefined
        : readCheckpoint(checkpointFile);
      if (checkpoint && (checkpoint.table !== name || checkpoint.where !== where))
        throw new UsageError(
          `${checkpointFile} is the checkpoint of a backfill of ${checkpoint.table}${checkpoint.where ? ` where ${checkpoint.where}` : ''}; pass --restart to start over or --checkpoint <other file>`,
        );
      const resumed = checkpoint !== undefined;
      checkpoint ??= {
        table: name,
        where,
        rules: rulesModule,
        after: [],
        done: 0,
        keys: 0,
        startedAt: new Date().toISOString(),
      };
      // The bar's total: rows done before plus rows still ahead (writes may move it a little).
      const total =
        checkpoint.done +
        (await table.count(
          where ?? undefined,
          checkpoint.after.length > 0 ? checkpoint.after : undefined,
        ));
      if (resumed)
        context.stderr.write(
          `resuming the backfill of ${name} after ${checkpoint.done} rows (${checkpointFile})\n`,
        );
      const redis = await connectRedis(config.redis);
      const bar = progressBar({
        stream: context.stderr,
        format: `backfill ${name} [{bar}] {percentage}% | {value}/{total} rows | keys {keys} | {speed} | ETA {eta_formatted}`,
        lineEveryMs: everyMs,
      });
      const startedAt = performance.now();
      const startedDone = checkpoint.done;
      const rowsPerSecond = (done: number) =>
        Math.round((done - startedDone) / ((performance.now() - startedAt) / SECOND));
      try {
        const result = await backfill({
          table,
          rules,
          redis,
          where: where ?? undefined,
          batchSize,
          rate,
          checkpointFile,
          checkpoint,
          signal: context.signal,
          onBatch: (now) =>
            bar.update(now.done, total, {
              keys: now.keys,
              speed: `${rowsPerSecond(now.done)} rows/s`,
            }),
        });
        bar.stop();
        const seconds = (performance.now() - startedAt) / SECOND;
        const summary = {
          table: name,
          where,
          complete: result.complete,
          rows: result.checkpoint.done,
          keysInvalidated: result.checkpoint.keys,
          structures: result.structures,
          rowsThisRun: result.checkpoint.done - startedDone,
          seconds: Math.round(seconds * 10) / 10,
          rowsPerSecond: rowsPerSecond(result.checkpoint.done),
          failedRows: result.failedRows,
          ruleErrors: result.ruleErrors,
          checkpoint: result.complete ? null : checkpointFile,
        };
        if (result.complete) removeCheckpoint(checkpointFile);
        if (values.json) context.stdout.write(`${JSON.stringify(summary)}\n`);
        else
          context.stdout.write(
            result.complete
              ? `backfill of ${name} complete: ${summary.rows} rows, ${summary.keysInvalidated} keys invalidated, ${summary.rowsThisRun} rows in ${summary.seconds} s (${summary.rowsPerSecond} rows/s)\n`
              : `backfill of ${name} interrupted after ${summary.rows} rows; run the same command to resume (checkpoint ${checkpointFile})\n`,
          );
        const kept = result.structures;
        if (!values.json && (kept.written > 0 || kept.removed > 0))
          context.stdout.write(
            `structures: ${kept.written} members written, ${kept.removed} removed that no row produces, ${kept.refused} left to newer changes\n`,
          );
        if (kept.unsettled > 0)
          context.stderr.write(
            `structures: ${kept.unsettled} batches were read while a transaction stayed open past the wait; a member that transaction changed may lag until its next change\n`,
          );
        if (kept.sweepSkipped !== undefined)
          context.stderr.write(`structures not swept: ${kept.sweepSkipped}\n`);
        for (const error of result.ruleErrors) context.stderr.write(`rule failed: ${error}\n`);
        if (!result.complete) return EXIT.INTERRUPTED;
        return result.failedRows > 0 ? EXIT.ATTENTION : EXIT.OK;
      } finally {
        bar.stop();
        redis.disconnect();
      }
    } finally {
      await db.end();
    }
  },
};
