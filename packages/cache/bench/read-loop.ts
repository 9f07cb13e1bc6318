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

/** What `runInSlices` recorded for one path. */
export interface PathSlices {
  latencies: number[];
  seconds: number;
  /** Redis commands the path's reads cost (from `commandsProcessed`). */
  commands: number;
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
  /** Redis's total_commands_processed (INFO stats) on a connection of its own. */
  commandsProcessed: () => Promise<number>;
}): Promise<Map<string, PathSlices>> {
  const { paths, callers, keys } = options;
  for (const { keyOf, read } of Object.values(paths))
    await runReaders({ callers, seconds: 0.5, keys, keyOf, read });
  const slices = new Map<string, PathSlices>(
    Object.keys(paths).map((name) => [name, { latencies: [], seconds: 0, commands: 0 }]),
  );
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, { keyOf, read }] of Object.entries(paths)) {
      const slice = slices.get(name)!;
      const before = await options.commandsProcessed();
      const seconds = options.seconds / options.rounds;
      const run = await runReaders({ callers, seconds, keys, keyOf, read });
      // The INFO call itself and the one before it are not the reads' commands.
      slice.commands += (await options.commandsProcessed()) - before - 1;
      for (const latency of run.latencies) slice.latencies.push(latency);
      slice.seconds += run.seconds;
    }
  }
  return slices;
}
