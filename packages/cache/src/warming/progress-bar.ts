import cliProgress from 'cli-progress';
import type { WarmProgress } from './warm.ts';

export interface WarmProgressBar {
  update(progress: WarmProgress): void;
  stop(): void;
}

/**
 * A progress bar on stderr (stdout stays clean for the summary), drawn only on a terminal:
 * piped or in CI it would be noise, so nothing is drawn there.
 */
export function warmProgressBar(stream: NodeJS.WriteStream = process.stderr): WarmProgressBar {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'warming [{bar}] {percentage}% | {value}/{total} | filled {filled} cached {cached} failed {failed} | {eta_formatted} left',
      hideCursor: true,
      etaBuffer: 100,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update({ done, total, summary }) {
      const payload = {
        filled: summary.filled,
        cached: summary.alreadyCached,
        failed: summary.failed,
      };
      if (!started) {
        bar.start(total ?? 0, done, payload);
        started = true;
      }
      if (total === undefined) bar.setTotal(done);
      bar.update(done, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
