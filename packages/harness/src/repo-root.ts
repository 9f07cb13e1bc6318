import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root: the nearest folder at or above `start` that holds the services. The
 * harness runs under jest (CommonJS, no import.meta) and as plain Node ESM, so it finds the
 * root from the working directory instead of from its own location.
 */
export function findRepoRoot(start = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'services', 'cdc-reader', 'src', 'main.ts'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`no Freshen repository at or above ${start}; run this from the repository`);
    dir = parent;
  }
}
