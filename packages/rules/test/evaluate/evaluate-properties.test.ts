import { defineKeyspace } from '@freshen/keys';
import fc from 'fast-check';
import { defineRules, invalidate, refresh, tableRule } from '../../src/index.ts';
import { changeEvent } from '../change-event-fixture.ts';

const space = defineKeyspace({ prefix: 'p' });
const user = space.kind('user', ['id']);
const byEmail = space.kind('user-by-email', ['email']);
const rules = defineRules(
  tableRule('public.users', {
    reads: ['id', 'email', 'bio'],
    readsOld: ['id', 'email'],
    produces: [user, byEmail],
    *keys({ new: row, old }) {
      if (row) {
        yield refresh(
          user,
          { id: row.id },
          { id: row.id, email: row.email, bio: row.bio },
          { ttlMs: 1000 },
        );
        yield invalidate(byEmail, { email: row.email });
      }
      if (old) {
        yield invalidate(user, { id: old.id });
        yield invalidate(byEmail, { email: old.email });
      }
    },
  }),
);

const text = fc.string({
  unit: fc.constantFrom('a', 'b', ':', '{', '}', '*', ' ', 'é', '%'),
  maxLength: 5,
});
const userRow = fc.record({
  id: fc.oneof(fc.integer({ min: 1, max: 5 }).map(String), text),
  email: text,
  bio: text,
});

describe('evaluate properties', () => {
  it('on any update, covers the new and old key of every kind, once each, and refreshes only with full data', () => {
    fc.assert(
      fc.property(userRow, userRow, fc.boolean(), (next, previous, bioUnavailable) => {
        const newRow: Record<string, unknown> = { ...next };
        if (bioUnavailable) delete newRow.bio;
        const actions = rules.evaluate(
          changeEvent({
            op: 'update',
            table: 'users',
            new: newRow,
            old: previous,
            unavailable: bioUnavailable ? ['bio'] : [],
          }),
        );
        const keys = actions.map((action) => action.key);
        expect(new Set(keys).size).toBe(keys.length);
        const expected = new Set([
          user.key({ id: next.id }),
          user.key({ id: previous.id }),
          byEmail.key({ email: next.email }),
          byEmail.key({ email: previous.email }),
        ]);
        expect(new Set(keys)).toEqual(expected);
        const refreshes = actions.filter((action) => action.kind === 'refresh');
        if (bioUnavailable) expect(refreshes).toEqual([]);
        else
          expect(refreshes).toEqual([
            {
              kind: 'refresh',
              key: user.key({ id: next.id }),
              value: JSON.stringify(next),
              ttlMs: 1000,
            },
          ]);
      }),
      { numRuns: 1000 },
    );
  });
});
