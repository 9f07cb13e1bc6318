import fc from 'fast-check';

/** Characters that could break a naive key encoding: separators, braces, glob and escape characters, spaces, unicode. */
const NASTY = [
  ':',
  '{',
  '}',
  '*',
  '?',
  '[',
  ']',
  '\\',
  '^',
  '-',
  '%',
  '%2',
  '%3A',
  ' ',
  '\t',
  '\n',
  '\u0000',
  'é',
  'e\u0301',
  '😀',
  '中',
  'a',
  'Z',
  '0',
  '_',
  '.',
];

/** Parameter values built mostly from NASTY pieces, plus any unicode, numbers and bigints. */
export const adversarialText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

export const adversarialValue = fc.oneof(
  { weight: 4, arbitrary: adversarialText },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

/** Arbitrary key strings, brace- and colon-heavy, to probe companion keys of keys from anywhere. */
export const anyKey = fc.oneof(
  fc.string({
    unit: fc.constantFrom('{', '}', ':', 'a', 'b', 'lease', 'version', '}:lease', '{a}'),
    maxLength: 8,
  }),
  fc.string({ unit: 'binary', maxLength: 16 }),
);
