import fc from 'fast-check';
import { decodeParamText, encodeParamText } from '../../src/encoding/param-encoding.ts';

describe('param encoding', () => {
  it('escapes every ASCII character outside [A-Za-z0-9_.-] as %XX and keeps the rest', () => {
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      const expected = /[A-Za-z0-9_.-]/.test(char)
        ? char
        : `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
      expect(encodeParamText(char)).toBe(expected);
    }
  });

  it('writes UTF-8 bytes for non-ASCII', () => {
    expect(encodeParamText('é😀')).toBe('%C3%A9%F0%9F%98%80');
  });

  it('round-trips any well-formed unicode text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(decodeParamText(encodeParamText(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what it never writes', () => {
    for (const bad of ['%2a', '%41', '%', '%G0', 'a b', 'a:b', '%C3', '%FF'])
      expect(decodeParamText(bad)).toBeUndefined();
  });
});
