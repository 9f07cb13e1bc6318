import cliProgress from 'cli-progress';
import { SECOND } from '@freshen/runtime';

export interface ProgressBar {
  /** `done` of `total` (undefined while unknown); `fields` fill the format's {name}s. */
  update(done: number, total: number | undefined, fields: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressBarOptions {
  /** cli-progress format, e.g. 'backfill [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left'. */
  format: string;
  /** Where to draw: stderr, so stdout stays clean for the summary. */
  stream?: NodeJS.WriteStream;
  /**
   * When the stream is not a terminal (a pipe, CI, a log), write one plain line every this
   * many ms instead of a bar, or nothing if 0. Default 0.
   */
  lineEveryMs?: number;
}

/**
 * The progress bar of the long commands (warm, backfill): a redrawn bar on a terminal; off a
 * terminal either nothing (a bar there is noise) or a plain line now and then, for logs.
 */
export function progressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return lineProgress(stream, options.lineEveryMs ?? 0);
  const bar = new cliProgress.SingleBar(
    { stream, format: options.format, hideCursor: true, etaBuffer: 100 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, fields) {
      if (!started) {
        bar.start(total ?? 0, done, fields);
        started = true;
      }
      bar.setTotal(total ?? done);
      bar.update(done, fields);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream, everyMs: number): ProgressBar {
  if (everyMs <= 0) return { update: () => {}, stop: () => {} };
  const startedAt = performance.now();
  let lastAt = 0;
  return {
    update(done, total, fields) {
      const now = performance.now();
      if (now - lastAt < everyMs) return;
      lastAt = now;
      const seconds = (now - startedAt) / SECOND;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = total === undefined || rate === 0 ? '?' : `${Math.ceil((total - done) / rate)}s`;
      const percent = total ? ` ${Math.floor((done / total) * 100)}%` : '';
      const extra = Object.entries(fields).map(([name, value]) => ` | ${name} ${value}`);
      stream.write(`progress ${done}/${total ?? '?'}${percent} | ETA ${eta}${extra.join('')}\n`);
    },
    stop: () => {},
  };
}
