import { standbyStatusUpdate } from '../../src/replication/standby-status.ts';

describe('standbyStatusUpdate', () => {
  it('confirms exactly the given LSN (not LSN + 1) as written, flushed and applied', () => {
    const message = standbyStatusUpdate(0x1_0000_00ffn, true, Date.UTC(2000, 0, 1) + 1);
    expect(message.length).toBe(34);
    expect(String.fromCharCode(message[0]!)).toBe('r');
    for (const offset of [1, 9, 17]) expect(message.readBigUInt64BE(offset)).toBe(0x1_0000_00ffn);
    expect(message.readBigInt64BE(25)).toBe(1000n); // 1 ms after the Postgres epoch, in µs
    expect(message[33]).toBe(1);
  });
});
