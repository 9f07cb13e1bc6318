import fc from 'fast-check';
import { decodeStoredValue, encodeStoredValue } from '../src/stored-value.ts';

describe('stored value envelope', () => {
  it('round-trips any payload with its load time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(1e9), (payload, loadMs) => {
        expect(decodeStoredValue(encodeStoredValue(payload, loadMs))).toEqual({ payload, loadMs });
      }),
    );
  });

  it('reads any JSON text (what the invalidator refresh writes) as a plain value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(decodeStoredValue(text)).toEqual({ payload: text, loadMs: undefined });
      }),
    );
  });

  it('treats a marker without a valid header as part of a plain value', () => {
    expect(decodeStoredValue('\u001eabc')).toEqual({ payload: '\u001eabc', loadMs: undefined });
    expect(decodeStoredValue('\u001ex\u001e{}')).toEqual({
      payload: '\u001ex\u001e{}',
      loadMs: undefined,
    });
  });

  it('rounds load times to whole milliseconds', () => {
    expect(encodeStoredValue('1', 12.6)).toBe('\u001e13\u001e1');
  });
});
