import fc from 'fast-check';
import { murmur2 } from '../../src/publisher/murmur2.ts';

/** A literal port of the Java client's murmur2 over bytes, in BigInt 32-bit arithmetic: the reference. */
function javaMurmur2(data: Buffer): number {
  const mask = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint) => (a * b) & mask;
  let h = (0x9747b28cn ^ BigInt(data.length)) & mask;
  const length4 = Math.floor(data.length / 4);
  for (let i = 0; i < length4; i++) {
    let k = BigInt(data.readUInt32LE(i * 4));
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m);
    h ^= k;
  }
  const tail = length4 * 4;
  const rest = data.length % 4;
  if (rest === 3) h ^= BigInt(data[tail + 2]!) << 16n;
  if (rest >= 2) h ^= BigInt(data[tail + 1]!) << 8n;
  if (rest >= 1) {
    h ^= BigInt(data[tail]!);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

describe('murmur2', () => {
  it("gives the Java client's values (Kafka's UtilsTest.testMurmur2)", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of cases) {
      expect(murmur2(key)).toBe(expected);
      expect(javaMurmur2(Buffer.from(key))).toBe(expected);
    }
  });

  it("equals the Java client's on any string key (UTF-8 bytes)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        (key) => murmur2(key) === javaMurmur2(Buffer.from(key, 'utf8')),
      ),
      { numRuns: 2000 },
    );
  });
});
