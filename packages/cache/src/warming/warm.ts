import type { Tag } from '@freshen/keys';
import type { ReadOptions } from '../cache-options.ts';
import type { CacheRead } from '../reading/read-through.ts';

/** What warming needs of a cache: its leased read (CacheClient has it). */
export interface LeasedReader {
  read<T>(key: string, loader: () => Promise<T>, options?: ReadOptions): Promise<CacheRead<T>>;
}

/** One key to pre-populate and how to load its value. */
export interface WarmEntry {
  key: string;
  load: () => Promise<unknown>;
  /** TTL for this key; default the client's ttlMs. */
  ttlMs?: number;
  /** Tags of the value, as its reads name them (see the README, "Tags"). Default none. */
  tags?: readonly Tag[];
}

export interface WarmProgress {
  done: number;
  /** Known when the entries came as an array or the plan said how many. */
  total: number | undefined;
  summary: WarmSummary;
}

export interface WarmOptions {
  /** Entries loaded at once. Default 8. */
  concurrency?: number;
  /** Called after each entry (drive a progress bar from it). */
  onProgress?: (progress: WarmProgress) => void;
  /** Total for progress when `entries` is not an array. */
  total?: number;
  /** Stops taking new entries when aborted; entries in flight finish. */
  signal?: AbortSignal;
}

export interface WarmSummary {
  /** Loaded and written. */
  filled: number;
  /** Already cached (nothing loaded). */
  alreadyCached: number;
  /** Loaded, but an invalidation took the lease meanwhile (the next read loads the new row). */
  refused: number;
  /** Loaded but not cached: too large, undefined, or Redis unavailable. */
  notCached: number;
  /** The loader threw; see `errors` (first 10). */
  failed: number;
  errors: { key: string; error: unknown }[];
}

const KEPT_ERRORS = 10;

/**
 * Pre-populates keys through their loaders with bounded concurrency, using the same leased
 * read path as getOrLoad: a key already cached is left alone, and a fill that races an
 * invalidation is refused, so warming can run against a live system. A failing loader is
 * counted and warming goes on.
 */
export async function warm(
  cache: LeasedReader,
  entries: Iterable<WarmEntry> | AsyncIterable<WarmEntry>,
  options: WarmOptions = {},
): Promise<WarmSummary> {
  const { concurrency = 8, onProgress, signal } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`warm concurrency must be a positive integer, got ${concurrency}`);
  }
  const total = Array.isArray(entries) ? entries.length : options.total;
  const summary: WarmSummary = {
    filled: 0,
    alreadyCached: 0,
    refused: 0,
    notCached: 0,
    failed: 0,
    errors: [],
  };
  let done = 0;
  const iterator = toAsyncIterator(entries);

  const worker = async () => {
    while (!signal?.aborted) {
      // Async iterators queue concurrent next() calls, so workers never get the same entry.
      const next = await iterator.next();
      if (next.done) return;
      const entry = next.value;
      try {
        const read = await cache.read(entry.key, entry.load, {
          ...(entry.ttlMs === undefined ? {} : { ttlMs: entry.ttlMs }),
          ...(entry.tags === undefined ? {} : { tags: entry.tags }),
        });
        if (read.source === 'cache') summary.alreadyCached++;
        else if (read.fill === 'written') summary.filled++;
        else if (read.fill === 'refused') summary.refused++;
        else summary.notCached++;
      } catch (error) {
        summary.failed++;
        if (summary.errors.length < KEPT_ERRORS) summary.errors.push({ key: entry.key, error });
      }
      done++;
      onProgress?.({ done, total, summary });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}

function toAsyncIterator<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return items[Symbol.asyncIterator]();
  const sync = items[Symbol.iterator]();
  return { next: async () => sync.next() };
}
