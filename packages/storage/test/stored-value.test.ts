import fc from 'fast-check';
import {
  decodeHashMeta,
  decodeStoredValue,
  encodeHashMeta,
  encodeStoredValue,
} from '../src/stored-value.ts';

const EXPIRY = fc.nat(4e12);

describe('stored value envelope', () => {
  it('round-trips any payload with its load time and expiry', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.option(fc.nat(1e9), { nil: undefined }),
        EXPIRY,
        (payload, loadMs, expiresAtMs) => {
          expect(decodeStoredValue(encodeStoredValue(payload, loadMs, expiresAtMs))).toEqual({
            payload,
            loadMs,
            expiresAtMs,
          });
        },
      ),
    );
  });

  it('reads any JSON text (what an older invalidator refresh wrote) as a plain value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(decodeStoredValue(text)).toEqual({
          payload: text,
          loadMs: undefined,
          expiresAtMs: undefined,
        });
      }),
    );
  });

  it('reads the older envelope without an expiry', () => {
    fc.assert(
      fc.property(fc.nat(1e9), fc.jsonValue(), (loadMs, value) => {
        const payload = JSON.stringify(value);
        expect(decodeStoredValue(`\u001e${loadMs}\u001e${payload}`)).toEqual({
          payload,
          loadMs,
          expiresAtMs: undefined,
        });
      }),
    );
  });

  it('treats a marker without a valid header as part of a plain value', () => {
    const plain = (payload: string) => ({ payload, loadMs: undefined, expiresAtMs: undefined });
    expect(decodeStoredValue('\u001eabc')).toEqual(plain('\u001eabc'));
    expect(decodeStoredValue('\u001ex\u001e{}')).toEqual(plain('\u001ex\u001e{}'));
    expect(decodeStoredValue('\u001e\u001e{}')).toEqual(plain('\u001e\u001e{}'));
  });

  it('rounds load times and expiries to whole milliseconds', () => {
    expect(encodeStoredValue('1', 12.6, 1000.4)).toBe('\u001e13\u001e1000\u001e1');
    expect(encodeStoredValue('1', undefined, 7)).toBe('\u001e\u001e7\u001e1');
  });
});

describe('hash meta field', () => {
  it('round-trips load time, expiry and absence', () => {
    fc.assert(
      fc.property(fc.nat(1e9), EXPIRY, fc.boolean(), (loadMs, expiresAtMs, absent) => {
        expect(decodeHashMeta(encodeHashMeta(loadMs, expiresAtMs, absent))).toEqual({
          loadMs,
          expiresAtMs,
          absent,
        });
      }),
    );
  });

  it('reads the older meta without an expiry', () => {
    expect(decodeHashMeta('12:null')).toEqual({ loadMs: 12, expiresAtMs: undefined, absent: true });
    expect(decodeHashMeta('12')).toEqual({ loadMs: 12, expiresAtMs: undefined, absent: false });
  });
});
