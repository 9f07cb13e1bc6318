import fc from 'fast-check';
import { compareLsn, formatLsn, parseLsn } from '../src/index.ts';

describe('LSN', () => {
  it('parses and formats X/Y', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(() => parseLsn('16-B3')).toThrow(/not an LSN: "16-B3"/);
  });

  it('orders by position, not by string', () => {
    expect(compareLsn('0/9', '0/10')).toBe(-1);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1);
  });

  it('round-trips every 64-bit position', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (value) => parseLsn(formatLsn(value)) === value,
      ),
    );
  });
});
