/** Mixing constants of Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2). */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 hash of a key's UTF-8 bytes, in 32-bit integer arithmetic (Math.imul).
 * Gives the same value as the Java client's (org.apache.kafka.common.utils.Utils#murmur2), so
 * a key lands on the partition a Java producer would choose.
 */
export function murmur2(key: string): number {
  const data = isAscii(key) ? undefined : Buffer.from(key, 'utf8');
  const length = data ? data.length : key.length;
  const byte = data ? (i: number) => data[i]! : (i: number) => key.charCodeAt(i);
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = byte(i4) | (byte(i4 + 1) << 8) | (byte(i4 + 2) << 16) | (byte(i4 + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The tail bytes, as the switch-with-fallthrough of the Java original.
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= byte(tail + 2) << 16;
  if (rest >= 2) h ^= byte(tail + 1) << 8;
  if (rest >= 1) {
    h ^= byte(tail);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
