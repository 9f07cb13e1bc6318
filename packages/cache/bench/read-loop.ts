/** Latency and throughput of one read path, from a number of concurrent callers. */
export interface ReadFigures {
  reads: number;
  seconds: number;
  readsPerSecond: number;
  p50Us: number;
  p99Us: number;
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Runs `callers` loops, each awaiting one read of a random hot key after another, for
 * `seconds`; returns every read's latency (µs) and the time taken.
 */
export async function runReaders(options: {
  callers: number;
  seconds: number;
  keys: number;
  keyOf: (index: number) => string;
  read: (key: string) => Promise<unknown>;
}): Promise<{ latencies: Float64Array; seconds: number }> {
  // Preallocated, so that recording does not make garbage the measured reads pay for in GC.
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  const started = performance.now();
  const until = started + options.seconds * 1000;
  const caller = async () => {
    while (performance.now() < until) {
      const key = options.keyOf(Math.floor(Math.random() * options.keys));
      const begin = performance.now();
      await options.read(key);
      if (count === latencies.length) {
        const grown = new Float64Array(2 * latencies.length);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = (performance.now() - begin) * 1000;
    }
  };
  await Promise.all(Array.from({ length: options.callers }, caller));
  return { latencies: latencies.subarray(0, count), seconds: (performance.now() - started) / 1000 };
}

/** Reads/s and percentiles of latencies (µs) recorded over `seconds`. */
export function summarize(latencies: number[], seconds: number): ReadFigures {
  latencies.sort((a, b) => a - b);
  return {
    reads: latencies.length,
    seconds,
    readsPerSecond: latencies.length / seconds,
    p50Us: percentile(latencies, 0.5),
    p99Us: percentile(latencies, 0.99),
  };
}

/** One way of reading a hot key, for `runInSlices`. */
export interface ReadPath {
  keyOf: (index: number) => string;
  read: (key: string) => Promise<unknown>;
}

/** What `runInSlices` measured for one path. */
export interface PathFigures extends ReadFigures {
  /** Redis commands the path's reads cost (from `commandsProcessed`). */
  commands: number;
}

/** Redis's total_commands_processed, for a connection of the benchmark's own. */
export async function commandsProcessed(stats: {
  info(section: 'stats'): Promise<string>;
}): Promise<number> {
  const info = await stats.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * Runs every path from `callers` callers for `seconds` in all, after a short warm-up so JIT
 * and connection state are the same for each. The machine is shared: the paths take turns in
 * `rounds` short slices, so a noisy moment hits each of them alike instead of one whole row.
 */
export async function runInSlices(options: {
  paths: Readonly<Record<string, ReadPath>>;
  callers: number;
  seconds: number;
  rounds: number;
  keys: number;
  /** A Redis connection used only to count commands (INFO stats). */
  stats: { info(section: 'stats'): Promise<string> };
}): Promise<Map<string, PathFigures>> {
  const { paths, callers, keys } = options;
  for (const { keyOf, read } of Object.values(paths))
    await runReaders({ callers, seconds: 0.5, keys, keyOf, read });
  const slices = new Map<string, { latencies: number[]; seconds: number; commands: number }>(
    Object.keys(paths).map((name) => [name, { latencies: [], seconds: 0, commands: 0 }]),
  );
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, { keyOf, read }] of Object.entries(paths)) {
      const slice = slices.get(name)!;
      const before = await commandsProcessed(options.stats);
      const seconds = options.seconds / options.rounds;
      const run = await runReaders({ callers, seconds, keys, keyOf, read });
      // The INFO call itself and the one before it are not the reads' commands.
      slice.commands += (await commandsProcessed(options.stats)) - before - 1;
      for (const latency of run.latencies) slice.latencies.push(latency);
      slice.seconds += run.seconds;
    }
  }
  const figures = new Map<string, PathFigures>();
  for (const [name, slice] of slices) {
    const summary = summarize(slice.latencies, slice.seconds);
    process.stderr.write(
      `${name}, ${callers} caller(s): ${Math.round(summary.readsPerSecond)} reads/s\n`,
    );
    figures.set(name, { ...summary, commands: slice.commands });
  }
  return figures;
}
