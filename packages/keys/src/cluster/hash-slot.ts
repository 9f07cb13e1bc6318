/**
 * Redis Cluster key → slot, as specified in https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/
 * ("Key distribution model" and "Hash tags"): CRC16 (XMODEM) of the key, or of its hash tag, mod 16384.
 */
export const CLUSTER_SLOTS = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

const utf8 = new TextEncoder();

/** CRC16-XMODEM (poly 0x1021, init 0) of the UTF-8 bytes of `text`. */
export function crc16(text: string): number {
  let crc = 0;
  for (const byte of utf8.encode(text))
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The part of `key` that Redis Cluster hashes: the text between the first `{` and the first `}`
 * after it, if that text is non-empty; otherwise undefined (the whole key is hashed).
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** The cluster slot Redis assigns to `key`. */
export function hashSlot(key: string): number {
  return crc16(hashTagOf(key) ?? key) % CLUSTER_SLOTS;
}

let tagBySlot: string[] | undefined;

/**
 * A short brace-free text whose slot is `slot`, so `{text}` pins any key to that slot. The table
 * (base-36 counting until every slot has a text, about 170k CRCs) is built on first use only,
 * which only keys with braces but no usable hash tag need.
 */
export function tagForSlot(slot: number): string {
  if (tagBySlot === undefined) {
    const table: string[] = new Array<string>(CLUSTER_SLOTS);
    let missing = CLUSTER_SLOTS;
    for (let n = 0; missing > 0; n++) {
      const candidate = n.toString(36);
      const candidateSlot = crc16(candidate) % CLUSTER_SLOTS;
      if (table[candidateSlot] === undefined) {
        table[candidateSlot] = candidate;
        missing--;
      }
    }
    tagBySlot = table;
  }
  return tagBySlot[slot]!;
}
