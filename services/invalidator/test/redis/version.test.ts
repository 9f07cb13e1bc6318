import { lsnToVersion } from '../../src/redis/version.ts';

describe('lsnToVersion', () => {
  it('pads to 16 hex digits so string order is LSN order', () => {
    expect(lsnToVersion('0/16B3748')).toBe('00000000016b3748');
    expect(lsnToVersion('1/0')).toBe('0000000100000000');
    const lsns = ['0/FFFFFFFF', '1/0', '0/A', '0/9', 'A/0', 'FF/1'];
    const byString = [...lsns].sort((a, b) => (lsnToVersion(a) < lsnToVersion(b) ? -1 : 1));
    expect(byString).toEqual(['0/9', '0/A', '0/FFFFFFFF', '1/0', 'A/0', 'FF/1']);
  });
});
