import fc from 'fast-check';
import { JsonCopy } from '../../src/reading/json-copy.ts';

/** Nests `levels` arrays around a number: [[[1]]] is 3 levels. */
const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

describe('JsonCopy', () => {
  it('copies exactly what JSON.parse of the text gives, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const copy = JsonCopy.of(text)!.copy();
        expect(copy).toStrictEqual(JSON.parse(text));
        // Same key order too: the copy serializes back to the very same text.
        expect(JSON.stringify(copy)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('hands out a new copy each time, which the caller may change', () => {
    const kept = JsonCopy.of('{"name":"Ada","tags":["a"],"address":{"city":"London"}}')!;
    const first = kept.copy() as { tags: string[]; address: { city: string } };
    first.tags.push('b');
    first.address.city = 'Paris';
    expect(kept.copy()).toEqual({ name: 'Ada', tags: ['a'], address: { city: 'London' } });
    expect(kept.copy()).not.toBe(kept.copy());
  });

  it('keeps "__proto__" an own property, as JSON.parse does, never a prototype', () => {
    const copy = JsonCopy.of('{"__proto__":{"admin":true},"name":"x"}')!.copy() as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { admin?: boolean }).admin).toBeUndefined();
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"admin":true},"name":"x"}');
  });

  it('orders integer-like keys as JSON.parse does', () => {
    const text = '{"b":1,"10":2,"a":3,"2":4}';
    expect(Object.keys(JsonCopy.of(text)!.copy() as object)).toEqual(
      Object.keys(JSON.parse(text) as object),
    );
  });

  it('declines values nested deeper than it copies, so they are kept as text', () => {
    expect(JsonCopy.of(JSON.stringify(nested(200)))!.copy()).toEqual(nested(200));
    expect(JsonCopy.of(JSON.stringify(nested(201)))).toBeUndefined();
  });
});
