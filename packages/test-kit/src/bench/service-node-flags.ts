import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Node flags a service's `start` script runs it with (`node <flags> src/main.ts` in its
 * package.json), so a benchmark runs the service as it is run, from that one place. The
 * reader's, for one, bound its heap: without them V8 lets garbage grow the RSS well past its
 * target.
 */
export function serviceNodeFlags(serviceDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(serviceDir, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const words = (manifest.scripts?.start ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node')
    throw new Error(`${serviceDir}/package.json: expected a start script "node [flags] <main>"`);
  return words.slice(1, -1).filter((word) => word.startsWith('--'));
}
