import { deepFreeze } from '../../src/reading/deep-freeze.ts';

describe('deepFreeze', () => {
  it('freezes every object and array reachable from the value', () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] }, d: 'text', e: null });
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(() => {
      (value.a.b[1] as { c: number }).c = 3;
    }).toThrow(TypeError);
  });

  it('leaves primitives, typed arrays and cycles alone', () => {
    expect(deepFreeze(5)).toBe(5);
    expect(deepFreeze(null)).toBeNull();
    const bytes = deepFreeze({ bytes: new Uint8Array([1, 2]) });
    expect(Object.isFrozen(bytes)).toBe(true);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(deepFreeze(cyclic)).toBe(cyclic);
  });
});
