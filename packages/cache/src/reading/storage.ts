/** A value found in Redis, with what XFetch needs to decide on an early refresh. */
export interface Found<T> {
  value: T;
  /** Load time recorded at fill; undefined for values written by the invalidator's refresh. */
  loadMs: number | undefined;
  /** When Redis expires the key (Unix ms), from the stored form; undefined when not known. */
  expiresAtMs: number | undefined;
}

/** A loaded value in stored form: Redis arguments and their total size in bytes. */
export interface Encoded {
  args: string[];
  bytes: number;
}

/**
 * How one shape of cached data (a whole value, or an object stored as hash fields) is read
 * and written. The lease algorithm in `read-through.ts` is the same for every shape.
 */
export interface Storage<L, T> {
  /**
   * Called under the lease just before the loader runs (tagged values read their tags'
   * generations here: tags/tagged-value-storage.ts).
   */
  beginLoad?(): Promise<void>;
  /** Reads the key; undefined is a miss. */
  get(): Promise<Found<T> | undefined>;
  /** What the caller receives for a freshly loaded value. */
  project(loaded: L): T;
  /**
   * The stored form of a loaded value that will be written with `ttlMs` (it records the expiry);
   * undefined when it cannot be cached (undefined).
   */
  encode(loaded: L, loadMs: number, ttlMs: number): Encoded | undefined;
  /** Writes only if `token` is still the lease; false when refused. */
  fillLeased(token: string, encoded: Encoded, ttlMs: number): Promise<boolean>;
  /** Writes unconditionally (leases off: the racy plain cache-aside). */
  fillUnleased(encoded: Encoded, ttlMs: number): Promise<void>;
}
