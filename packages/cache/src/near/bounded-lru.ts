/** A held copy (serialized text, or a frozen shared value) and what it is counted as. */
interface Copy {
  copy: unknown;
  bytes: number;
}

/** One Redis key's copies: the whole value, or one per requested field list of a hash. */
interface Entry {
  readonly key: string;
  /** variant ('' = whole value, else the field list) -> copy */
  copies: Map<string, Copy>;
  bytes: number;
  expiresAtMs: number;
  /** When the first copy went in (performance.now()): what a later change must evict. */
  admittedAtMs: number;
  /** The next older and next newer entry in the use order. */
  older: Entry | undefined;
  newer: Entry | undefined;
}

/** Why entries left without an invalidation. */
export type EvictionReason = 'capacity' | 'expired';

/**
 * A least-recently-used map of Redis key -> copies, bounded by entry count and by bytes (each
 * copy counted as its caller says: the UTF-16 length x 2 of its serialized text, what the
 * string costs in V8, roughly; plus the key and variant names), with a per-entry expiry.
 *
 * The use order is a linked list through the entries, so a hit only relinks two entries. The
 * simpler Map re-insert (delete, then set) on every hit leaves a hole in V8's hash table each
 * time, and the rehash that clears them stalled every read in flight for tens of µs: it was
 * the near hit's p99 in bench:cache.
 */
export class BoundedLru {
  private readonly entries = new Map<string, Entry>();
  /** Least and most recently used; undefined when empty. */
  private oldest: Entry | undefined;
  private newest: Entry | undefined;
  private totalBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly onEvict: (reason: EvictionReason) => void;

  constructor(options: {
    maxEntries: number;
    maxBytes: number;
    onEvict: (reason: EvictionReason) => void;
  }) {
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.onEvict = options.onEvict;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The copy of `key`'s `variant`, unless absent or expired at `nowMs`; a use for the LRU order. */
  get(key: string, variant: string, nowMs: number): unknown {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.remove(entry);
      this.onEvict('expired');
      return undefined;
    }
    const held = entry.copies.get(variant);
    if (held === undefined) return undefined;
    if (entry !== this.newest) {
      this.unlink(entry);
      this.linkNewest(entry);
    }
    return held.copy;
  }

  /** When `key`'s entry was admitted (performance.now()), if held. */
  admittedAtMs(key: string): number | undefined {
    return this.entries.get(key)?.admittedAtMs;
  }

  /** Holds `copy` (never undefined), counted as `copyBytes`, as `key`'s `variant`. */
  set(key: string, variant: string, copy: unknown, copyBytes: number, expiresAtMs: number): void {
    const bytes = copyBytes + 2 * variant.length;
    let entry = this.entries.get(key);
    if (entry) {
      // Out of the order and the byte count, but left in the Map (a delete would leave a hole).
      this.unlink(entry);
      this.totalBytes -= entry.bytes;
      const previous = entry.copies.get(variant);
      if (previous !== undefined) entry.bytes -= previous.bytes;
      // Variants of one key share its expiry: the earliest, so none outlives its Redis TTL.
      entry.expiresAtMs = Math.min(entry.expiresAtMs, expiresAtMs);
    } else {
      entry = {
        key,
        copies: new Map(),
        bytes: 2 * key.length,
        expiresAtMs,
        admittedAtMs: performance.now(),
        older: undefined,
        newer: undefined,
      };
    }
    entry.copies.set(variant, { copy, bytes });
    entry.bytes += bytes;
    if (entry.bytes > this.maxBytes) {
      this.entries.delete(key); // larger than the whole cache: not kept
      return;
    }
    this.entries.set(key, entry);
    this.linkNewest(entry);
    this.totalBytes += entry.bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      this.remove(this.oldest!);
      this.onEvict('capacity');
    }
  }

  /** Removes a key's copies; true when there were any. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.oldest = this.newest = undefined;
    this.totalBytes = 0;
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.key);
    this.unlink(entry);
    this.totalBytes -= entry.bytes;
  }

  private linkNewest(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = undefined;
  }
}
