import { leaseKeyFor, versionKeyFor } from '@freshen/keys';
import { refreshIfNewer } from '@freshen/storage';
import type { Redis } from 'ioredis';
import type { CacheClient } from '../src/index.ts';
import { percentile } from './read-loop.ts';

export interface StalenessFigures {
  changesPerSecond: number;
  changes: number;
  measured: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/**
 * Applies `rate` changes per second for `seconds` with the invalidator's own refresh script
 * (round-robin over the hot keys) and times, for each, the near cache's invalidation of that
 * key from the write's acknowledgement (0 when the invalidation arrived first).
 */
export async function measureStaleness(options: {
  writer: Redis;
  cache: CacheClient;
  keys: readonly string[];
  rate: number;
  seconds: number;
}): Promise<StalenessFigures> {
  const { writer, cache, keys, rate, seconds } = options;
  const acked = new Map<string, number>();
  const received = new Map<string, number>();
  const windows: number[] = [];
  const settle = (key: string) => {
    const ack = acked.get(key);
    const receipt = received.get(key);
    if (ack === undefined || receipt === undefined) return;
    acked.delete(key);
    received.delete(key);
    windows.push(Math.max(0, receipt - ack) * 1000);
  };
  const stop = cache.near!.onInvalidation((key, atMs) => {
    received.set(key, atMs);
    settle(key);
  });
  let version = Date.now() * 1000;
  let sent = 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const writes: Promise<void>[] = [];
  while (sent < total) {
    // Pace by the clock: send what is due, then yield for a millisecond.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; sent < due; sent++) {
      const key = keys[sent % keys.length]!;
      writes.push(
        refreshIfNewer
          .run(
            writer,
            [key, versionKeyFor(key), leaseKeyFor(key)],
            [
              JSON.stringify({ change: sent }),
              60 * 60 * 1000,
              (++version).toString(16).padStart(24, '0'),
            ],
          )
          .then(() => {
            acked.set(key, performance.now());
            settle(key);
          }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(writes);
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 200));
  stop();
  windows.sort((a, b) => a - b);
  return {
    changesPerSecond: total / elapsed,
    changes: total,
    measured: windows.length,
    p50Us: percentile(windows, 0.5),
    p99Us: percentile(windows, 0.99),
    maxUs: windows.at(-1) ?? Number.NaN,
  };
}
