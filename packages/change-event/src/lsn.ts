/**
 * Postgres log sequence numbers. On the wire and in SQL an LSN is `X/Y`: the high and low
 * 32 bits of a 64-bit WAL position in hex (see pg_lsn in the Postgres docs). As a bigint it
 * compares and subtracts exactly.
 */
const LSN_PATTERN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function isLsn(text: string): boolean {
  return LSN_PATTERN.test(text);
}

/** The high and low halves of `text` in hex; throws, naming the value, if it is not an LSN. */
function halves(text: string): [string, string] {
  const match = LSN_PATTERN.exec(text);
  if (!match)
    throw new Error(`not an LSN: ${JSON.stringify(text)} (expected X/Y in hex, e.g. 16/B374D848)`);
  return [match[1]!, match[2]!];
}

export function parseLsn(text: string): bigint {
  const [high, low] = halves(text);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/**
 * The LSN as 16 lowercase hex digits, its 64-bit value zero-padded: as text these order as the
 * LSNs do. Made from the text's two halves, without a BigInt (the invalidator asks per change).
 */
export function lsnHex(text: string): string {
  const [high, low] = halves(text);
  return (high.padStart(8, '0') + low.padStart(8, '0')).toLowerCase();
}

export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Negative, zero or positive as a is before, at or after b. */
export function compareLsn(a: string, b: string): number {
  const difference = parseLsn(a) - parseLsn(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
