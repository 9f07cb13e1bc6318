import fc from 'fast-check';
import {
  defineKeyspace,
  type KeyKind,
  leaseKeyFor,
  leasePatternsFor,
  versionKeyFor,
} from '../src/index.ts';
import { keyValueText } from '../src/encoding/param-encoding.ts';
import { adversarialValue } from './adversarial.ts';
import { globMatch } from './glob-match.ts';

// Kinds chosen to look alike: shared name prefixes, prefix 'app' vs 'app2', versions, hash tags, 0-2 params.
const app = defineKeyspace({ prefix: 'app' });
const app2 = defineKeyspace({ prefix: 'app2' });
const appV2 = defineKeyspace({ prefix: 'app', version: 2 });
const appV12 = defineKeyspace({ prefix: 'app', version: 12 });
const kinds: KeyKind[] = [
  app.kind('user', ['id']),
  app.kind('user-by-email', ['email']),
  app.kind('user_teams', ['user_id', 'team_id']),
  app.kind('users', ['id'], { hashTag: true }),
  app.kind('pair', ['a', 'b'], { hashTag: true }),
  app.kind('member', ['team_id', 'user_id'], { hashTag: 'user_id' }),
  app.kind('settings', []),
  app.kind('v', ['id']),
  app2.kind('user', ['id']),
  appV2.kind('user', ['id']),
  appV12.kind('user', ['id']),
  appV2.kind('settings', []),
];

const RUNS = { numRuns: 2000 };

/** A kind with values for each of its parameters. */
const keyed = fc.constantFrom(...kinds).chain((kind) =>
  fc.tuple(...kind.params.map(() => adversarialValue)).map((values) => ({
    kind,
    params: Object.fromEntries(kind.params.map((param, i) => [param, values[i]!])) as Record<
      string,
      string
    >,
  })),
);

function asText(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, keyValueText(value) as string]),
  );
}

describe('key encoding properties', () => {
  it('round-trips: parse(key(p)) is p as text', () => {
    fc.assert(
      fc.property(keyed, ({ kind, params }) => {
        expect(kind.parse(kind.key(params))).toEqual(asText(params));
      }),
      RUNS,
    );
  });

  it('is injective across parameter sets and kinds (no collision for adversarial values)', () => {
    fc.assert(
      fc.property(keyed, keyed, (a, b) => {
        const same =
          a.kind === b.kind &&
          JSON.stringify(asText(a.params)) === JSON.stringify(asText(b.params));
        expect(a.kind.key(a.params) === b.kind.key(b.params)).toBe(same);
      }),
      RUNS,
    );
  });

  it('parses a key as exactly one kind', () => {
    fc.assert(
      fc.property(keyed, ({ kind, params }) => {
        const key = kind.key(params);
        expect(kinds.filter((other) => other.parse(key) !== undefined)).toEqual([kind]);
      }),
      RUNS,
    );
  });

  it("matches a kind's pattern to its own keys only, never to lease or version keys", () => {
    fc.assert(
      fc.property(keyed, ({ kind, params }) => {
        const key = kind.key(params);
        expect(kinds.filter((other) => globMatch(other.pattern(), key))).toEqual([kind]);
        for (const other of kinds) {
          expect(globMatch(other.pattern(), leaseKeyFor(key))).toBe(false);
          expect(globMatch(other.pattern(), versionKeyFor(key))).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('never names a lease or version key like a cache key or like another key’s companion', () => {
    fc.assert(
      fc.property(keyed, keyed, (a, b) => {
        const keyA = a.kind.key(a.params);
        const keyB = b.kind.key(b.params);
        expect(leaseKeyFor(keyA)).not.toBe(keyB);
        expect(versionKeyFor(keyA)).not.toBe(keyB);
        expect(leaseKeyFor(keyA)).not.toBe(versionKeyFor(keyB));
        if (keyA !== keyB) expect(leaseKeyFor(keyA)).not.toBe(leaseKeyFor(keyB));
      }),
      RUNS,
    );
  });

  it('only parses what it builds: key(parse(s)) = s for any string', () => {
    const near = fc.constantFrom(...kinds).chain((kind) =>
      fc
        .string({
          unit: fc.constantFrom(
            ':',
            '{',
            '}',
            '%',
            '%2',
            '%3A',
            '%3a',
            '%41',
            '%C3',
            '%A9',
            'a',
            '1',
            ' ',
          ),
          maxLength: 10,
        })
        .map((rest) => ({ kind, text: `${kind.base}:${rest}` })),
    );
    fc.assert(
      fc.property(near, ({ kind, text }) => {
        const parsed = kind.parse(text);
        if (parsed !== undefined) expect(kind.key(parsed)).toBe(text);
      }),
      RUNS,
    );
  });

  it("finds a key's lease through its kind's lease patterns, and never another kind's lease or any cached key", () => {
    const leasePatternMatches = (kind: KeyKind, text: string) =>
      leasePatternsFor(kind.pattern()).some((pattern) => globMatch(pattern, text));
    fc.assert(
      fc.property(keyed, keyed, (a, b) => {
        const keyA = a.kind.key(a.params);
        const keyB = b.kind.key(b.params);
        expect(leasePatternMatches(a.kind, leaseKeyFor(keyA))).toBe(true);
        expect(leasePatternMatches(a.kind, keyB)).toBe(false);
        expect(leasePatternMatches(a.kind, versionKeyFor(keyA))).toBe(false);
        if (a.kind !== b.kind && !globMatch(a.kind.pattern(), keyB)) {
          expect(leasePatternMatches(a.kind, leaseKeyFor(keyB))).toBe(false);
        }
      }),
      RUNS,
    );
  });
});
