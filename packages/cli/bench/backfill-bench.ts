// npm run bench:backfill [-- --quick]
// `freshen backfill` of a 100k-row table while readers and writers run through the pipeline;
// prints throughput, the last progress line and the stale keys the consistency check finds
// afterwards (must be 0). Writes .bench/backfill.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@freshen/harness';
import { backfillUnderWrites } from './backfill-under-writes.ts';

const quick = process.argv.includes('--quick');
const say = (line: string) => process.stderr.write(`${line}\n`);
const result = await backfillUnderWrites({
  users: quick ? 10_000 : 100_000,
  writeSeconds: quick ? 10 : 60,
  batch: 1000,
  say,
});
const figures = {
  rows: result.summary.rows,
  keysInvalidated: result.summary.keysInvalidated,
  seconds: result.summary.seconds,
  rowsPerSecond: result.summary.rowsPerSecond,
  complete: result.summary.complete,
  exitCode: result.exitCode,
  endedWhileWriting: result.endedWhileWriting,
  progressLine: result.progressLine,
  reads: result.consistency.reads,
  writes: result.consistency.writes,
  workloadErrors: result.consistency.errors,
  checked: result.consistency.checked,
  stale: result.consistency.stale.length,
  staleByCause: result.consistency.staleByCause,
  fillsRefused: result.consistency.fillsRefused,
};
const root = findRepoRoot();
mkdirSync(path.join(root, '.bench'), { recursive: true });
writeFileSync(path.join(root, '.bench', 'backfill.json'), `${JSON.stringify(figures, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
const ok = figures.complete && figures.exitCode === 0 && figures.stale === 0;
say(ok ? 'backfill bench passed: 0 stale keys' : 'backfill bench FAILED');
process.exitCode = ok ? 0 : 1;
