/** One Redis key's copies: the whole value, or one per requested field list of a hash. */
interface Entry {
  /** variant ('' = whole value, else the field list) -> serialized copy */
  copies: Map<string, string>;
  bytes: number;
  expiresAtMs: number;
  /** When the first copy went in (performance.now()): what a later change must evict. */
  admittedAtMs: number;
}

/** A copy found, with when its entry was admitted (performance.now()). */
export interface FoundCopy {
  copy: string;
  admittedAtMs: number;
}

/** Why entries left without an invalidation. */
export type EvictionReason = 'capacity' | 'expired';

/**
 * A least-recently-used map of Redis key -> serialized copies, bounded by entry count and by
 * bytes (UTF-16 length x 2 of the copies and key: what the strings cost in V8, roughly), with
 * a per-entry expiry. A Map keeps insertion order, so re-inserting on use makes the first key
 * the least recently used one.
 */
export class BoundedLru {
  private readonly entries = new Map<string, Entry>();
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

  get(key: string, variant: string, nowMs: number): FoundCopy | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.remove(key, entry);
      this.onEvict('expired');
      return undefined;
    }
    const copy = entry.copies.get(variant);
    if (copy === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { copy, admittedAtMs: entry.admittedAtMs };
  }

  set(key: string, variant: string, copy: string, expiresAtMs: number): void {
    const bytes = 2 * (copy.length + variant.length);
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
      const previous = entry.copies.get(variant);
      if (previous !== undefined) entry.bytes -= 2 * (previous.length + variant.length);
      // Variants of one key share its expiry: the earliest, so none outlives its Redis TTL.
      entry.expiresAtMs = Math.min(entry.expiresAtMs, expiresAtMs);
    } else {
      entry = {
        copies: new Map(),
        bytes: 2 * key.length,
        expiresAtMs,
        admittedAtMs: performance.now(),
      };
    }
    entry.copies.set(variant, copy);
    entry.bytes += bytes;
    if (entry.bytes > this.maxBytes) return; // larger than the whole cache: not kept
    this.entries.set(key, entry);
    this.totalBytes += entry.bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldestKey, oldest);
      this.onEvict('capacity');
    }
  }

  /** Removes a key's copies; true when there were any. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.remove(key, entry);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
