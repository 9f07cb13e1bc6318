import fc from 'fast-check';
import type { OutgoingMessage } from '../../src/publisher/event-publisher.ts';
import { packBatch, unpackBatch } from '../../src/publisher/packed-batch.ts';

const message: fc.Arbitrary<OutgoingMessage> = fc.record(
  {
    topic: fc.constantFrom('freshen.public.a', 'freshen.public.b', 'freshen.other.c'),
    key: fc.string({ unit: 'grapheme' }),
    value: fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    ),
    partition: fc.nat({ max: 11 }),
  },
  { requiredKeys: ['topic', 'key', 'value'] },
);

/** What the producer writes for a message: its value as UTF-8 bytes. */
function asWritten({ topic, key, value, partition }: OutgoingMessage) {
  return { topic, key, value: Buffer.from(value), partition };
}

describe('packBatch / unpackBatch', () => {
  it('give back every message: topic, key, value bytes and partition, in order', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 50 }), (messages) => {
        const batch = packBatch(messages);
        // The values travel in one buffer, transferred to the worker rather than copied.
        expect(batch.values.byteLength).toBe(
          messages.reduce((sum, { value }) => sum + Buffer.byteLength(value), 0),
        );
        const unpacked = unpackBatch(structuredClone(batch, { transfer: [batch.values] }));
        expect(unpacked.map(asWritten)).toEqual(messages.map(asWritten));
      }),
    );
  });
});
