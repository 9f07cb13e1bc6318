/**
 * The stored forms of the storage contract (docs/architecture.md, "Storage contract").
 *
 * What a cached whole value looks like in Redis: a STRING holding the serialized value in a
 * minimal envelope that carries what early refresh (XFetch) and the near cache need, so that a
 * hit is one GET:
 *
 *     U+001E <load time in ms, decimal, or empty> U+001E <expiry, Unix ms> U+001E <serialized value>
 *
 * Fills write the load time; the invalidator's refresh (refresh-if-newer-3.lua) writes an empty
 * one (no early refresh of a value nobody loaded) and takes the expiry from Redis's clock.
 * U+001E (record separator) cannot start JSON text (RFC 8259 section 2 allows only space, tab,
 * LF and CR before a value), so a plain JSON value (written by an older invalidator, or by
 * hand) still reads as a value, never as an envelope. The older two-field envelope
 * (`U+001E <load ms> U+001E <value>`, no expiry) is read too until such values expire.
 *
 * Redis's own TTL stays the authority on when a key disappears; the stored expiry only tells a
 * reader, without a second command, how long is left (XFetch) and bounds how long the near
 * cache may keep a copy. Clocks of different hosts may differ: that moves an early refresh,
 * never the Redis expiry.
 */
export const ENVELOPE_MARK = '\u001e';

export interface StoredValue {
  /** The serialized value (what the serializer produced). */
  payload: string;
  /** How long the load that produced it took, in ms; undefined for refreshed and plain values. */
  loadMs: number | undefined;
  /** When Redis expires the key (Unix ms), as written with it; undefined when not known. */
  expiresAtMs: number | undefined;
}

const wholeMs = (ms: number) => Math.max(0, Math.round(ms));

export function encodeStoredValue(
  payload: string,
  loadMs: number | undefined,
  expiresAtMs: number,
): string {
  const load = loadMs === undefined ? '' : String(wholeMs(loadMs));
  return `${ENVELOPE_MARK}${load}${ENVELOPE_MARK}${wholeMs(expiresAtMs)}${ENVELOPE_MARK}${payload}`;
}

const DIGITS = /^\d*$/;
const plain = (text: string): StoredValue => ({
  payload: text,
  loadMs: undefined,
  expiresAtMs: undefined,
});

export function decodeStoredValue(text: string): StoredValue {
  if (!text.startsWith(ENVELOPE_MARK)) return plain(text);
  const second = text.indexOf(ENVELOPE_MARK, 1);
  if (second < 0) return plain(text);
  const load = text.slice(1, second);
  // A marker without a well-formed header is not ours: treat the whole text as a plain value.
  if (!DIGITS.test(load)) return plain(text);
  const loadMs = load === '' ? undefined : Number(load);
  const third = text.indexOf(ENVELOPE_MARK, second + 1);
  const expiry = third < 0 ? '' : text.slice(second + 1, third);
  if (third > second + 1 && DIGITS.test(expiry)) {
    return { payload: text.slice(third + 1), loadMs, expiresAtMs: Number(expiry) };
  }
  // The older form without an expiry (it always had a load time).
  if (loadMs === undefined) return plain(text);
  return { payload: text.slice(second + 1), loadMs, expiresAtMs: undefined };
}

/**
 * An object cached as a hash (one serialized field per property) carries this reserved field:
 * it marks the hash as filled and holds the load time and expiry, `<loadMs>,<expiry ms>` for an
 * object and `<loadMs>,<expiry ms>:null` for "no such object" (cached like any other answer).
 * Its presence, not that of the requested fields, decides hit or miss. Such keys are
 * invalidated by delete only. The older form without `,<expiry ms>` is still read.
 */
export const HASH_META_FIELD = ENVELOPE_MARK;
const ABSENT = ':null';

export function encodeHashMeta(loadMs: number, expiresAtMs: number, absent: boolean): string {
  return `${wholeMs(loadMs)},${wholeMs(expiresAtMs)}${absent ? ABSENT : ''}`;
}

export function decodeHashMeta(meta: string): {
  loadMs: number | undefined;
  expiresAtMs: number | undefined;
  absent: boolean;
} {
  const absent = meta.endsWith(ABSENT);
  const [load = '', expiry = ''] = (absent ? meta.slice(0, -ABSENT.length) : meta).split(',');
  const number = (text: string) => (text !== '' && DIGITS.test(text) ? Number(text) : undefined);
  return { loadMs: number(load), expiresAtMs: number(expiry), absent };
}

/** The serialized value inside a STRING read from Redis (null stays null: no such key). */
export function storedPayload(text: string | null): string | null {
  return text === null ? null : decodeStoredValue(text).payload;
}
