import fc from 'fast-check';
import { hashSlot } from '../../src/cluster/hash-slot.ts';
import { leaseKeyFor, versionKeyFor } from '../../src/index.ts';
import { anyKey } from '../adversarial.ts';

describe('leaseKeyFor / versionKeyFor', () => {
  it('wraps a key without braces, extends a tagged key, and pins a key with unusable braces', () => {
    expect(leaseKeyFor('app:user:42')).toBe('{app:user:42}:lease');
    expect(versionKeyFor('app:user:{42}')).toBe('{42}:version:app:user:{42}');
    expect(leaseKeyFor('a{}b')).toMatch(/^\{[0-9a-z]+\}:lease:a\{\}b$/);
    expect(leaseKeyFor('')).toMatch(/^\{[0-9a-z]+\}:lease:$/);
  });

  it('keeps the slot of any key string', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        expect(hashSlot(leaseKeyFor(key))).toBe(hashSlot(key));
        expect(hashSlot(versionKeyFor(key))).toBe(hashSlot(key));
      }),
      { numRuns: 5000 },
    );
  });

  it('is injective and never mixes up leases and versions, for any key strings', () => {
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        if (a !== b) {
          expect(leaseKeyFor(a)).not.toBe(leaseKeyFor(b));
          expect(versionKeyFor(a)).not.toBe(versionKeyFor(b));
        }
        expect(leaseKeyFor(a)).not.toBe(versionKeyFor(b));
      }),
      { numRuns: 5000 },
    );
  });
});
