/**
 * Injective encoding of key parameter values. Every UTF-8 byte outside [A-Za-z0-9_.-] is written as
 * `%XX` (uppercase hex), so an encoded value never contains the key separator `:`, the hash-tag
 * braces `{` `}`, the SCAN glob metacharacters `* ? [ ] \`, whitespace or non-ASCII. Different
 * values therefore always give different keys, and a glob built from literal key parts can never
 * be widened by a value.
 */
const ALL_SAFE = /^[A-Za-z0-9_.-]*$/;
const CANONICAL = /^(?:[A-Za-z0-9_.-]|%[0-9A-F]{2})*$/;

/** With the u flag a valid surrogate pair is one code point, so \p{Cs} matches only lone halves. */
const LONE_SURROGATE = /\p{Cs}/u;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A value a key parameter accepts. Numbers and bigints are keyed by their decimal text. */
export type KeyValue = string | number | bigint;

/** Text form of a value, or a reason it cannot be part of a key. */
export function keyValueText(value: unknown): string | { problem: string } {
  if (typeof value === 'string') {
    // A lone UTF-16 surrogate has no UTF-8 form; encoding it would need a lossy replacement.
    return LONE_SURROGATE.test(value) ? { problem: 'contains a lone UTF-16 surrogate' } : value;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : { problem: `is ${value}, not a finite number` };
  }
  if (typeof value === 'bigint') return value.toString();
  return {
    problem: `is ${value === null ? 'null' : typeof value}, expected a string, number or bigint`,
  };
}

export function encodeParamText(text: string): string {
  if (ALL_SAFE.test(text)) return text;
  // encodeURIComponent writes %XX (uppercase) for UTF-8 bytes outside A-Z a-z 0-9 - _ . ! ~ * ' ( );
  // the last five are escaped here too, leaving exactly [A-Za-z0-9_.-] unescaped. Lone surrogates were
  // rejected by keyValueText before this point.
  return encodeURIComponent(text).replace(
    /[!~*'()]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Inverse of encodeParamText. Returns undefined for text that encodeParamText never produces
 * (lowercase hex, an escaped safe character, invalid UTF-8), so parse(key) is defined only
 * for keys that build() returns: parse and build are exact inverses.
 */
export function decodeParamText(encoded: string): string | undefined {
  if (!CANONICAL.test(encoded)) return undefined;
  if (!encoded.includes('%')) return encoded;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length;) {
    if (encoded[i] === '%') {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(encoded.charCodeAt(i));
      i += 1;
    }
  }
  let text: string;
  try {
    text = strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
  return encodeParamText(text) === encoded ? text : undefined;
}
