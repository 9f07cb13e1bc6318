import fc from 'fast-check';
import {
  decodeStoredValue,
  decodeTaggedPayload,
  encodeStoredValue,
  encodeTaggedPayload,
} from '../src/index.ts';

describe('the tagged payload', () => {
  const tagKey = fc.stringMatching(/^[a-z0-9:{}%_.-]{1,40}$/);
  const generation = fc.stringMatching(/^[A-Za-z0-9_-]{16}$/);

  it('round-trips any value and tags inside the whole-value envelope', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.record({ key: tagKey, generation })),
        (payload, tags) => {
          const text = encodeStoredValue(encodeTaggedPayload(payload, tags), 12, 1_000);
          const stored = decodeStoredValue(text);
          expect(stored).toMatchObject({ loadMs: 12, expiresAtMs: 1_000 });
          expect(decodeTaggedPayload(stored.payload)).toEqual({ payload, tags });
        },
      ),
    );
  });

  it('is not a JSON value, so a reader without tags cannot parse it as one', () => {
    const payload = encodeTaggedPayload('{"a":1}', [{ key: 'app:tag:1', generation: 'g' }]);
    expect(() => JSON.parse(payload) as unknown).toThrow();
  });

  it('leaves plain payloads alone', () => {
    expect(decodeTaggedPayload('{"a":1}')).toBeUndefined();
    expect(decodeTaggedPayload('\u001dno end')).toBeUndefined();
    expect(decodeTaggedPayload('\u001dodd\u001e{}')).toBeUndefined();
  });
});
