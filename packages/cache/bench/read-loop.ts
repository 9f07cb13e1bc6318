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
 * `seconds`; every read's latency is recorded (µs).
 */
export async function runReaders(options: {
  callers: number;
  seconds: number;
  keys: number;
  keyOf: (index: number) => string;
  read: (key: string) => Promise<unknown>;
}): Promise<ReadFigures> {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + options.seconds * 1000;
  const caller = async () => {
    while (performance.now() < until) {
      const key = options.keyOf(Math.floor(Math.random() * options.keys));
      const begin = performance.now();
      await options.read(key);
      latencies.push((performance.now() - begin) * 1000);
    }
  };
  await Promise.all(Array.from({ length: options.callers }, caller));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    reads: latencies.length,
    seconds,
    readsPerSecond: latencies.length / seconds,
    p50Us: percentile(latencies, 0.5),
    p99Us: percentile(latencies, 0.99),
  };
}
