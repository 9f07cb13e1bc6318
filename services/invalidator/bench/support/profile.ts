import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Profiles this process (V8 CPU profiler) until the returned stop() is called. */
export async function startSelfProfile(): Promise<() => Promise<object>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

/** The functions with the most self time in a .cpuprofile, as "share%  function  file:line". */
export function topSelfTime(profile: { nodes: ProfileNode[] } | string, limit = 12): string[] {
  const parsed =
    typeof profile === 'string'
      ? (JSON.parse(readFileSync(profile, 'utf8')) as { nodes: ProfileNode[] })
      : profile;
  const byFrame = new Map<string, number>();
  let total = 0;
  for (const node of parsed.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, 'nm:')
      .replace(/^.*\/work\/main\//, '');
    const frame = `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + hits);
  }
  return [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(
      ([frame, hits]) => `${((100 * hits) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${frame}`,
    );
}
