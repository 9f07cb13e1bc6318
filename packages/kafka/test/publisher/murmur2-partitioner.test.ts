import fc from 'fast-check';
import { murmur2 } from '../../src/publisher/murmur2-partitioner.ts';

// kafkajs's own (Long-based) implementation, the reference this one must equal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reference = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: Buffer | string,
) => number;

describe('murmur2', () => {
  it('equals kafkajs (and so the Java client) on known keys', () => {
    for (const key of [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'public.users:42',
      'app.orders:["a",1]',
      'ünïcødé:ключ',
    ]) {
      expect(murmur2(key)).toBe(reference(Buffer.from(key)));
    }
  });

  it('equals kafkajs on any string key', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        (key) => murmur2(key) === reference(Buffer.from(key)),
      ),
      { numRuns: 2000 },
    );
  });
});
