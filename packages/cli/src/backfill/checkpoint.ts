import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where a backfill stands: written after every applied batch, removed when it completes. */
export interface BackfillCheckpoint {
  /** `schema.table`, the --where filter and the rules module: a resume must match all three. */
  table: string;
  where: string | null;
  rules: string;
  /** Text form of the primary key of the last row whose keys were invalidated. */
  after: string[];
  /** Rows done so far. */
  done: number;
  keys: number;
  startedAt: string;
}

/** The default checkpoint file of a table's backfill, under the working directory. */
export function defaultCheckpointPath(cwd: string, table: string): string {
  return path.join(cwd, '.freshen', `backfill-${table}.json`);
}

export function readCheckpoint(file: string): BackfillCheckpoint | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BackfillCheckpoint;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(
      `cannot read the backfill checkpoint ${file} (${(error as Error).message}); remove it or pass --restart`,
      { cause: error },
    );
  }
}

/** Writes through a temporary file and a rename, so a kill mid-write leaves the old checkpoint. */
export function writeCheckpoint(file: string, checkpoint: BackfillCheckpoint): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`);
  renameSync(temporary, file);
}

export function removeCheckpoint(file: string): void {
  rmSync(file, { force: true });
}
