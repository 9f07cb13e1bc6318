/**
 * The stored forms of the storage contract (docs/architecture.md, "Storage contract").
 *
 * What a cached whole value looks like in Redis. The contract says a cached value is a STRING
 * holding the serialized value; the invalidator's refresh writes exactly that. Values filled by
 * this library add the one number XFetch needs, in a minimal envelope:
 *
 *     U+001E <load time in ms, decimal> U+001E <serialized value>
 *
 * U+001E (record separator) cannot start JSON text (RFC 8259 section 2 allows only space, tab,
 * LF and CR before a value), so a plain JSON value and an envelope are never confused. The
 * expiry is not stored: Redis's PTTL is the authority (no dependence on client clocks).
 */
export const ENVELOPE_MARK = '\u001e';

export interface StoredValue {
  /** The serialized value (what the serializer produced). */
  payload: string;
  /** How long the load that produced it took, in ms; undefined for plain values (refreshes). */
  loadMs: number | undefined;
}

export function encodeStoredValue(payload: string, loadMs: number): string {
  return `${ENVELOPE_MARK}${Math.max(0, Math.round(loadMs))}${ENVELOPE_MARK}${payload}`;
}

export function decodeStoredValue(text: string): StoredValue {
  if (!text.startsWith(ENVELOPE_MARK)) return { payload: text, loadMs: undefined };
  const end = text.indexOf(ENVELOPE_MARK, 1);
  const loadMs = end > 1 ? Number(text.slice(1, end)) : Number.NaN;
  // A marker without a well-formed header is not ours: treat the whole text as a plain value.
  if (!Number.isFinite(loadMs)) return { payload: text, loadMs: undefined };
  return { payload: text.slice(end + 1), loadMs };
}

/**
 * An object cached as a hash (one serialized field per property) carries this reserved field:
 * it marks the hash as filled and holds the load time, `<loadMs>` for an object and
 * `<loadMs>:null` for "no such object" (cached like any other answer). Its presence, not that
 * of the requested fields, decides hit or miss. Such keys are invalidated by delete only.
 */
export const HASH_META_FIELD = ENVELOPE_MARK;
const ABSENT = ':null';

export function encodeHashMeta(loadMs: number, absent: boolean): string {
  return `${Math.max(0, Math.round(loadMs))}${absent ? ABSENT : ''}`;
}

export function decodeHashMeta(meta: string): { loadMs: number | undefined; absent: boolean } {
  const loadMs = Number.parseInt(meta, 10);
  return { loadMs: Number.isFinite(loadMs) ? loadMs : undefined, absent: meta.endsWith(ABSENT) };
}
