import { DEAD_LETTER_HEADERS } from '@freshen/kafka';
import { parseLetterId, toDeadLetter } from '../../src/dlq/dead-letters.ts';

describe('dead letters', () => {
  it('reads a letter id as partition@offset, a bare offset as partition 0, and nothing else', () => {
    expect(parseLetterId('1@42')).toBe('1@42');
    expect(parseLetterId('42')).toBe('0@42');
    expect(parseLetterId('x@1')).toBeUndefined();
    expect(parseLetterId('-1')).toBeUndefined();
  });

  it('takes origin and error from the headers, and is replayed below the mark only', () => {
    const message = {
      topic: 'freshen.dlq',
      partition: 0,
      offset: 5n,
      key: Buffer.from('public.users:1'),
      value: Buffer.from('{}'),
      timestamp: 0,
      headers: new Map([
        [DEAD_LETTER_HEADERS.errorCode, 'RULE_FAILED'],
        [DEAD_LETTER_HEADERS.originTopic, 'freshen.public.users'],
        [DEAD_LETTER_HEADERS.originPartition, '2'],
        [DEAD_LETTER_HEADERS.originOffset, '99'],
      ]),
    };
    expect(toDeadLetter(message, 6n)).toMatchObject({
      id: '0@5',
      errorCode: 'RULE_FAILED',
      origin: { topic: 'freshen.public.users', partition: 2, offset: '99' },
      reference: false,
      replayed: true,
    });
    expect(toDeadLetter(message, 5n).replayed).toBe(false);
    expect(toDeadLetter(message, undefined).replayed).toBe(false);
  });
});
