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
