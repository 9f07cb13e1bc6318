import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConsistencyResult } from './consistency-run.ts';
import { STALE_CAUSES } from './stale-cause.ts';

/** One run's figures as printed and written to .bench/consistency.json. */
export interface RunFigures {
  run: number;
  redis: 'standalone' | 'cluster';
  invalidators: number;
  leases: boolean;
  /** False in the tags' negative control: readers ignored tags. */
  tagFencing: boolean;
  reads: number;
  writes: number;
  errors: number;
  errorKinds: Record<string, number>;
  conflicts: number;
  pkMoves: number;
  deleteReinserts: number;
  doubleUpdates: number;
  longTransactionWrites: number;
  truncates: number;
  heldLoads: number;
  heldFillsWritten: number;
  heldFillsRefused: number;
  fillsRefused: number;
  failover: string;
  checkedKeys: number;
  /** Tagged results whose tag moved (readers miss them), so not compared. */
  taggedNotServed: number;
  /** Structures kept by rules compared with their tables. */
  structuresChecked: number;
  staleKeys: number;
  staleByCause: Record<string, number>;
  drainSeconds: number;
  /** The readers' near cache: off, on, or on with invalidations dropped (negative control). */
  nearCache: 'off' | 'on' | 'delivery_off';
  nearHits: number;
  /** Near hits served later than the bound after a change of their key. */
  nearLateReads: number;
  nearBoundMs: number;
}

export function runFigures(
  run: number,
  redis: 'standalone' | 'cluster',
  invalidators: number,
  result: ConsistencyResult,
): RunFigures {
  const sum = (pick: (t: ConsistencyResult['truncates'][number]) => number) =>
    result.truncates.reduce((total, truncate) => total + pick(truncate), 0);
  return {
    run,
    redis,
    invalidators,
    leases: result.leases,
    tagFencing: result.tagFencing,
    reads: result.reads,
    writes: result.writes,
    errors: result.errors,
    errorKinds: result.errorKinds,
    conflicts: result.conflicts,
    pkMoves: result.pkMoves,
    deleteReinserts: result.deleteReinserts,
    doubleUpdates: result.doubleUpdates,
    longTransactionWrites: result.longTransactionWrites,
    truncates: result.truncates.length,
    heldLoads: sum((t) => t.held),
    heldFillsWritten: sum((t) => t.heldFillsWritten),
    heldFillsRefused: sum((t) => t.heldFillsRefused),
    fillsRefused: result.fillsRefused,
    failover: result.failover
      ? `${result.failover.signal} ${result.failover.takeoverSeconds.toFixed(1)} s`
      : 'none',
    checkedKeys: result.checked,
    taggedNotServed: result.taggedNotServed,
    structuresChecked: result.structuresChecked,
    staleKeys: result.stale.length,
    // Only causes seen, so a line stays short; the JSON file has them all.
    staleByCause: Object.fromEntries(
      STALE_CAUSES.filter((cause) => result.staleByCause[cause] > 0).map((cause) => [
        cause,
        result.staleByCause[cause],
      ]),
    ),
    drainSeconds: Number(result.drainSeconds.toFixed(2)),
    nearCache: result.near ? (result.near.delivery ? 'on' : 'delivery_off') : 'off',
    nearHits: result.near?.nearHits ?? 0,
    nearLateReads: result.near?.late.length ?? 0,
    nearBoundMs: result.near?.boundMs ?? 0,
  };
}

/** One line per run, for the terminal: figures only (stale keys' values stay in the file). */
export function figuresLine(figures: RunFigures): string {
  const causes = Object.entries(figures.staleByCause)
    .map(([cause, count]) => `${cause} ${count}`)
    .join(', ');
  return (
    `run ${figures.run} ${figures.redis} ${figures.invalidators} invalidators, leases ${figures.leases ? 'on' : 'OFF'}` +
    `${figures.tagFencing ? '' : ', tag fencing OFF'}: ` +
    `${figures.reads} reads, ${figures.writes} writes (${figures.errors} errors, ${figures.conflicts} conflicts), ` +
    `${figures.pkMoves} PK moves, ${figures.deleteReinserts} delete+reinserts, ${figures.doubleUpdates} double updates, ` +
    `long txn ${figures.longTransactionWrites} writes, ${figures.truncates} truncates (${figures.heldLoads} held loads: ` +
    `${figures.heldFillsWritten} filled, ${figures.heldFillsRefused} refused), failover ${figures.failover}, ` +
    `${figures.fillsRefused} fills refused, ${figures.checkedKeys} keys checked ` +
    `(${figures.taggedNotServed} tagged results invalidated, not served), ${figures.structuresChecked} structures checked, ` +
    `${figures.staleKeys} stale${causes ? ` (${causes})` : ''}, drained in ${figures.drainSeconds} s` +
    (figures.nearCache === 'off'
      ? ', near cache off'
      : `, near cache ${figures.nearCache === 'on' ? 'on' : 'on with invalidations DROPPED'}: ${figures.nearHits} near hits, ${figures.nearLateReads} served later than ${figures.nearBoundMs} ms after a change`)
  );
}

/**
 * Writes every run of the invocation to `<root>/.bench/consistency.json`, with up to three
 * stale keys per cause and run (key, cached and actual value: the harness's own generated rows).
 */
export function writeConsistencyReport(
  root: string,
  report: {
    startedAt: string;
    settings: Record<string, unknown>;
    runs: { figures: RunFigures; result: ConsistencyResult }[];
    verdict: { ok: boolean; problems: string[] };
  },
): string {
  const file = path.join(root, '.bench/consistency.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const runs = report.runs.map(({ figures, result }) => ({
    ...figures,
    staleByCause: result.staleByCause,
    truncateDetails: result.truncates,
    staleExamples: STALE_CAUSES.flatMap((cause) =>
      result.stale.filter((stale) => stale.cause === cause).slice(0, 3),
    ),
    lateNearReadExamples: result.near?.late.slice(0, 5) ?? [],
  }));
  writeFileSync(file, `${JSON.stringify({ ...report, runs }, null, 2)}\n`);
  return file;
}

/**
 * What makes the check fail: a stale key, or a fill held across a truncate that Redis
 * accepted, in any run with leases (with tag fencing off, any stale key but a tagged result);
 * a near-cache read served later than the bound after its key changed; and a run without
 * leases that found no stale key, a run with tag fencing off that found no stale tagged
 * result, or a run with near-cache invalidations dropped that found no late near read (then
 * the check could not have failed, and its zeros mean nothing).
 */
export function verdictOf(runs: readonly RunFigures[]): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  for (const run of runs) {
    const where = `run ${run.run} (${run.redis}, leases ${run.leases ? 'on' : 'off'}${run.tagFencing ? '' : ', tag fencing off'})`;
    // With tag fencing off, stale tagged results are the expected finding; anything else is not.
    const stale = run.tagFencing
      ? run.staleKeys
      : run.staleKeys - (run.staleByCause['tagged-result'] ?? 0);
    if (run.leases && stale > 0)
      problems.push(`${where}: ${stale} stale keys ${JSON.stringify(run.staleByCause)}`);
    if (run.leases && run.heldFillsWritten > 0)
      problems.push(`${where}: ${run.heldFillsWritten} fills held across a truncate were written`);
    if (run.nearCache === 'on' && run.nearLateReads > 0)
      problems.push(
        `${where}: ${run.nearLateReads} near-cache reads served later than ${run.nearBoundMs} ms after their key changed`,
      );
    if (run.leases && run.errors > 0)
      problems.push(`${where}: ${run.errors} workload errors ${JSON.stringify(run.errorKinds)}`);
  }
  const without = runs.filter((run) => !run.leases);
  if (without.length > 0 && without.every((run) => run.staleKeys === 0))
    problems.push(
      'the run without leases found no stale key: this check cannot tell a fix from none',
    );
  const unfenced = runs.filter((run) => !run.tagFencing);
  if (unfenced.length > 0 && unfenced.every((run) => !run.staleByCause['tagged-result']))
    problems.push(
      'the run with tag fencing off found no stale tagged result: this check cannot tell working tags from none',
    );
  const deliveryOff = runs.filter((run) => run.nearCache === 'delivery_off');
  if (deliveryOff.length > 0 && deliveryOff.every((run) => run.nearLateReads === 0))
    problems.push(
      'the run with near-cache invalidations dropped found no late near read: this check cannot tell a working near cache from a broken one',
    );
  return { ok: problems.length === 0, problems };
}
