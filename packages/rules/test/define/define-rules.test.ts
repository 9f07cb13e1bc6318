import { defineKeyspace } from '@freshen/keys';
import { isFreshenError, type FreshenError } from '@freshen/runtime';
import { defineRules, invalidate, refresh, tableRule } from '../../src/index.ts';
import { changeEvent } from '../change-event-fixture.ts';

const app = defineKeyspace({ prefix: 'app' });
const user = app.kind('user', ['id']);
const byEmail = app.kind('user-by-email', ['email']);
const team = app.kind('team', ['id']);
const members = app.kind('team-members', ['team_id'], { hashTag: 'team_id' });
const userTeams = app.kind('user-teams', ['user_id']);

const users = tableRule('public.users', {
  reads: ['id', 'email', 'name', 'bio'],
  readsOld: ['id', 'email'],
  produces: [user, byEmail],
  *keys({ new: row, old }) {
    if (row) {
      yield refresh(
        user,
        { id: row.id },
        { id: row.id, name: row.name, bio: row.bio },
        { ttlMs: 60_000 },
      );
      yield invalidate(byEmail, { email: row.email });
    }
    if (old) {
      yield invalidate(user, { id: old.id });
      yield invalidate(byEmail, { email: old.email });
    }
  },
});

const teamMembers = tableRule('public.team_members', {
  reads: ['team_id', 'user_id'],
  readsOld: ['team_id', 'user_id'],
  produces: [members, userTeams],
  keys: ({ new: row, old }) =>
    [row, old].flatMap((r) =>
      r
        ? [
            invalidate(members, { team_id: r.team_id }),
            invalidate(userTeams, { user_id: r.user_id }),
          ]
        : [],
    ),
});

const rules = defineRules(users, teamMembers);

describe('defineRules', () => {
  it('lists its tables', () => {
    expect(rules.tables).toEqual(['public.users', 'public.team_members']);
    expect(rules.hasTable('public', 'users')).toBe(true);
    expect(rules.hasTable('public', 'teams')).toBe(false);
    expect(rules.evaluate(changeEvent({ op: 'insert', table: 'teams', new: { id: 1 } }))).toEqual(
      [],
    );
  });

  it('refreshes and invalidates on insert', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'insert',
        table: 'users',
        new: { id: '42', email: 'a@x.io', name: 'Ann', bio: 'hi' },
      }),
    );
    expect(actions).toEqual([
      {
        kind: 'refresh',
        key: 'app:user:42',
        value: '{"id":"42","name":"Ann","bio":"hi"}',
        ttlMs: 60_000,
      },
      { kind: 'delete', key: 'app:user-by-email:a%40x.io' },
    ]);
  });

  it('invalidates the old and the new email key when the email changes', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'update',
        table: 'users',
        new: { id: '42', email: 'new@x.io', name: 'Ann', bio: 'hi' },
        old: { id: '42', email: 'old@x.io', name: 'Ann', bio: 'hi' },
      }),
    );
    // The refresh of app:user:42 wins over the delete of the same key from the old row.
    expect(actions).toEqual([
      {
        kind: 'refresh',
        key: 'app:user:42',
        value: '{"id":"42","name":"Ann","bio":"hi"}',
        ttlMs: 60_000,
      },
      { kind: 'delete', key: 'app:user-by-email:new%40x.io' },
      { kind: 'delete', key: 'app:user-by-email:old%40x.io' },
    ]);
  });

  it('invalidates the old key when the primary key changes', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'update',
        table: 'users',
        new: { id: '43', email: 'a@x.io', name: 'A', bio: '' },
        old: { id: '42', email: 'a@x.io' },
      }),
    );
    expect(actions.map((a) => `${a.kind} ${a.key}`)).toEqual([
      'refresh app:user:43',
      'delete app:user-by-email:a%40x.io',
      'delete app:user:42',
    ]);
  });

  it('uses the old row on delete', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'delete',
        table: 'users',
        old: { id: '42', email: 'a@x.io', name: 'A', bio: '' },
      }),
    );
    expect(actions).toEqual([
      { kind: 'delete', key: 'app:user:42' },
      { kind: 'delete', key: 'app:user-by-email:a%40x.io' },
    ]);
  });

  it('fans a membership change out to every affected list', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'update',
        table: 'team_members',
        new: { team_id: 8, user_id: 3, role: 'admin' },
        old: { team_id: 7, user_id: 3 },
      }),
    );
    expect(actions.map((a) => a.key)).toEqual([
      'app:team-members:{8}',
      'app:user-teams:3',
      'app:team-members:{7}',
    ]);
  });

  it('turns a refresh into a delete when a column it read was not sent (unchanged TOAST)', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'update',
        table: 'users',
        new: { id: '42', email: 'a@x.io', name: 'Ann' },
        unavailable: ['bio'],
      }),
    );
    expect(actions).toEqual([
      { kind: 'delete', key: 'app:user:42' },
      { kind: 'delete', key: 'app:user-by-email:a%40x.io' },
    ]);
  });

  it('gives the patterns of every kind a table produces for TRUNCATE', () => {
    expect(rules.truncatePatterns('public', 'users')).toEqual([
      'app:user:*',
      'app:user-by-email:*',
    ]);
    expect(rules.truncatePatterns('public', 'team_members')).toEqual([
      'app:team-members:*',
      'app:user-teams:*',
    ]);
    expect(rules.truncatePatterns('public', 'nope')).toEqual([]);
  });

  it('refuses to evaluate a truncate', () => {
    expect(() => rules.evaluate(changeEvent({ op: 'truncate', table: 'users' }))).toThrow(
      /truncatePatterns/,
    );
  });

  it('skips a key whose parameter is NULL', () => {
    const actions = rules.evaluate(
      changeEvent({
        op: 'insert',
        table: 'users',
        new: { id: '1', email: null, name: 'A', bio: '' },
      }),
    );
    expect(actions.map((a) => a.key)).toEqual(['app:user:1']);
  });
});

describe('a key kind that rules of several tables target', () => {
  it('is refreshed as a delete (regression: a late refresh could overwrite what the other table just made stale)', () => {
    const flags = tableRule('public.user_flags', {
      reads: ['user_id'],
      produces: [user],
      keys: ({ new: row }) => (row ? [invalidate(user, { id: row.user_id })] : []),
    });
    const shared = defineRules(users, flags);
    const update = changeEvent({
      op: 'update',
      table: 'users',
      new: { id: '1', email: 'a@example.com', name: 'A', bio: '' },
    });
    expect(shared.evaluate(update)).toContainEqual({ kind: 'delete', key: 'app:user:1' });
    // With the users rule alone, the same change refreshes the profile.
    expect(defineRules(users).evaluate(update)).toContainEqual(
      expect.objectContaining({ kind: 'refresh', key: 'app:user:1' }),
    );
  });
});

describe('a rule that fails', () => {
  function failure(run: () => unknown): string {
    try {
      run();
      return 'no error';
    } catch (error) {
      return isFreshenError(error, 'RULE_FAILED')
        ? error.message
        : `not RULE_FAILED: ${String(error)}`;
    }
  }

  it('is wrapped in RULE_FAILED naming table and rule, with its own text (maybe row values) only in detail (regression: an email reached the log)', () => {
    const throwing = defineRules(
      tableRule('public.teams', {
        name: 'team cache',
        reads: ['id'],
        produces: [team],
        keys: () => {
          throw new TypeError('no team for owner ada@example.com');
        },
      }),
    );
    let caught: unknown;
    try {
      throwing.evaluate(changeEvent({ op: 'insert', table: 'teams', new: { id: 1 } }));
    } catch (error) {
      caught = error;
    }
    expect(isFreshenError(caught, 'RULE_FAILED')).toBe(true);
    const error = caught as FreshenError;
    expect(error.message).toBe(
      "rule 'team cache' for public.teams failed on insert at LSN 0/16B3748: the rule threw TypeError (its message may hold row values, so it is only in the dead letter)",
    );
    expect(error.detail).toBe('no team for owner ada@example.com');
    expect(error.cause).toBeUndefined();
    // What a pino `err` serializer would print: nothing of the rule's text.
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(
      'ada@example.com',
    );
  });

  it('names the missing old column and the replica identity fix', () => {
    const message = failure(() =>
      rules.evaluate(changeEvent({ op: 'delete', table: 'users', old: { id: '42' } })),
    );
    expect(message).toMatch(
      /rule 'users' for public.users failed on delete .*parameter email of key kind user-by-email is undefined.*REPLICA IDENTITY FULL/,
    );
  });

  it('rejects reading an undeclared column and targeting an unproduced kind', () => {
    const sneaky = defineRules(
      tableRule('public.teams', {
        reads: ['id'],
        produces: [team],
        keys: ({ new: row }) => [invalidate(team, { id: (row as Record<string, unknown>).name })],
      }),
      tableRule('public.users', {
        reads: ['id'],
        produces: [user],
        keys: () => [invalidate(team as unknown as typeof user, { id: 1 })],
      }),
    );
    expect(
      failure(() =>
        sneaky.evaluate(changeEvent({ op: 'insert', table: 'teams', new: { id: 1, name: 'x' } })),
      ),
    ).toMatch(/read column name, which it does not declare/);
    expect(
      failure(() => sneaky.evaluate(changeEvent({ op: 'insert', table: 'users', new: { id: 1 } }))),
    ).toMatch(/targets key kind team, which is not in its produces list/);
  });

  it('rejects a bad table name', () => {
    expect(
      failure(() => tableRule('users', { reads: [], produces: [team], keys: () => [] })),
    ).toMatch(/schema\.table/);
  });
});

describe('compile-time checks', () => {
  it('rejects misspelt parameters, undeclared columns and unproduced kinds', () => {
    // @ts-expect-error - 'idd' is not a parameter of user
    invalidate(user, { idd: 1 });
    // @ts-expect-error - 'idd' is not a parameter of user
    expect(() => user.key({ idd: 1 })).toThrow();
    tableRule('public.users', {
      reads: ['id'],
      produces: [user],
      keys: ({ new: row }) =>
        row
          ? [
              // @ts-expect-error - email is not declared in reads
              invalidate(user, { id: row.email }),
            ]
          : [],
    });
    tableRule('public.users', {
      reads: ['id'],
      produces: [user],
      // @ts-expect-error - team is not in produces
      keys: () => [invalidate(team, { id: 1 })],
    });
  });
});
