import { eventVersion } from '../src/version.ts';

describe('eventVersion', () => {
  it('pads the commit LSN to 16 hex digits so string order is LSN order', () => {
    expect(eventVersion({ lsn: '0/16B3748', seq: 0 })).toBe('00000000016b374800000000');
    const lsns = ['0/FFFFFFFF', '1/0', '0/A', '0/9', 'A/0', 'FF/1'];
    const version = (lsn: string) => eventVersion({ lsn, seq: 0 });
    const byString = [...lsns].sort((a, b) => (version(a) < version(b) ? -1 : 1));
    expect(byString).toEqual(['0/9', '0/A', '0/FFFFFFFF', '1/0', 'A/0', 'FF/1']);
  });

  it('orders two changes of one transaction (same commit LSN) by their position (regression: second update of a row in one transaction refused as a replay)', () => {
    const first = eventVersion({ lsn: '0/16B3748', seq: 9 });
    const second = eventVersion({ lsn: '0/16B3748', seq: 10 });
    expect(second > first).toBe(true);
    expect(eventVersion({ lsn: '0/16B3749', seq: 0 }) > second).toBe(true);
  });

  it('gives the digits of the LSN as a 64-bit number, for every form of X/Y', () => {
    for (const lsn of [
      '0/0',
      '0/1',
      '1/0',
      'FFFFFFFF/FFFFFFFF',
      'ab/CD',
      '00000001/0000000A',
      '16/B374D848',
    ]) {
      const [high, low] = lsn.split('/').map((part) => BigInt(`0x${part}`));
      const expected = ((high! << 32n) | low!).toString(16).padStart(16, '0');
      expect(eventVersion({ lsn, seq: 0 })).toBe(`${expected}00000000`);
      expect(eventVersion({ lsn, seq: 0 })).toBe(`${expected}00000000`); // the kept answer
    }
    expect(() => eventVersion({ lsn: '0/XYZ', seq: 0 })).toThrow(/not an LSN/);
  });
});
