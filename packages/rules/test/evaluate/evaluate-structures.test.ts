import { defineKeyspace } from '@freshen/keys';
import { isFreshenError } from '@freshen/runtime';
import { defineRules, hashFields, setMember, tableRule, zset } from '../../src/index.ts';
import { changeEvent } from '../change-event-fixture.ts';

const space = defineKeyspace({ prefix: 't' });
const leaderboard = space.kind('leaderboard', []);
const teamMembers = space.kind('team-members', ['team_id'], { hashTag: 'team_id' });
const profile = space.kind('profile', ['id']);

// products(id pk, units_sold, listed): listed products by units sold.
const products = defineRules(
  tableRule('public.products', {
    reads: ['id', 'units_sold', 'listed'],
    produces: [leaderboard],
    structures: (row) =>
      row.listed === false ? [] : [zset(leaderboard, {}, row.id, row.units_sold)],
  }),
);
// memberships(team_id, user_id) with primary key (team_id, user_id).
const memberships = defineRules(
  tableRule('public.memberships', {
    reads: ['team_id', 'user_id'],
    produces: [teamMembers],
    structures: (row) => [setMember(teamMembers, { team_id: row.team_id }, row.user_id)],
  }),
);
const users = defineRules(
  tableRule('public.users', {
    reads: ['id', 'name', 'email'],
    produces: [profile],
    structures: (row) => [
      hashFields(profile, { id: row.id }, { name: row.name, email: row.email }),
    ],
  }),
);

describe('structure actions', () => {
  it('adds the new row: an insert ZADDs the member with its score', () => {
    const event = changeEvent({
      op: 'insert',
      table: 'products',
      new: { id: 7, units_sold: 12, listed: true },
    });
    expect(products.evaluateStructures(event)).toEqual([
      { op: 'add', structure: 'zset', key: 't:leaderboard', member: '7', value: '12' },
    ]);
  });

  it('removes a deleted row, from the primary key alone (default replica identity)', () => {
    const event = changeEvent({ op: 'delete', table: 'products', old: { id: 7 } });
    expect(products.evaluateStructures(event)).toEqual([
      { op: 'remove', structure: 'zset', key: 't:leaderboard', member: '7' },
    ]);
  });

  it('removes a row that leaves: the new row yields nothing, the full old row did', () => {
    const event = changeEvent({
      op: 'update',
      table: 'products',
      new: { id: 7, units_sold: 12, listed: false },
      old: { id: 7, units_sold: 12, listed: true },
    });
    expect(products.evaluateStructures(event)).toEqual([
      { op: 'remove', structure: 'zset', key: 't:leaderboard', member: '7' },
    ]);
  });

  it('refuses to guess when the old row lacks a column membership hinged on', () => {
    const rules = defineRules(
      tableRule('public.products', {
        reads: ['id', 'units_sold', 'listed'],
        produces: [leaderboard],
        structures: (row) => (row.listed ? [zset(leaderboard, {}, row.id, row.units_sold)] : []),
      }),
    );
    let caught: unknown;
    try {
      rules.evaluateStructures(changeEvent({ op: 'delete', table: 'products', old: { id: 7 } }));
    } catch (error) {
      caught = error;
    }
    expect(isFreshenError(caught, 'RULE_FAILED')).toBe(true);
    expect((caught as Error).message).toContain('REPLICA IDENTITY FULL');
  });

  it('moves a member on a primary-key move: SREM from the old team, SADD to the new', () => {
    const event = changeEvent({
      op: 'update',
      table: 'memberships',
      new: { team_id: 8, user_id: 3 },
      old: { team_id: 7, user_id: 3 },
    });
    expect(memberships.evaluateStructures(event)).toEqual([
      { op: 'add', structure: 'set', key: 't:team-members:{8}', member: '3', value: '' },
      { op: 'remove', structure: 'set', key: 't:team-members:{7}', member: '3' },
    ]);
  });

  it('HSETs chosen fields, HDELs a field that became null, keeps an unchanged TOAST field', () => {
    const event = changeEvent({
      op: 'update',
      table: 'users',
      new: { id: 1, name: 'Ada', email: null },
      unavailable: [],
    });
    expect(users.evaluateStructures(event)).toEqual([
      { op: 'add', structure: 'hash', key: 't:profile:1', member: 'name', value: 'Ada' },
      { op: 'remove', structure: 'hash', key: 't:profile:1', member: 'email' },
    ]);
    const toasted = changeEvent({
      op: 'update',
      table: 'users',
      new: { id: 1, email: 'a@example.com' },
      unavailable: ['name'],
    });
    expect(users.evaluateStructures(toasted)).toEqual([
      {
        op: 'add',
        structure: 'hash',
        key: 't:profile:1',
        member: 'email',
        value: 'a@example.com',
      },
    ]);
  });

  it('rejects a kind kept as two Redis types', () => {
    const rules = defineRules(
      tableRule('public.products', {
        reads: ['id'],
        produces: [leaderboard],
        structures: (row) => [zset(leaderboard, {}, row.id, 1), setMember(leaderboard, {}, row.id)],
      }),
    );
    expect(() =>
      rules.evaluateStructures(changeEvent({ op: 'insert', table: 'products', new: { id: 1 } })),
    ).toThrow(/kept as a zset elsewhere and as a set here/);
  });

  it('needs keys or structures, and a structure kind in produces', () => {
    expect(() => tableRule('public.products', { reads: ['id'], produces: [leaderboard] })).toThrow(
      /neither keys nor structures/,
    );
    const rules = defineRules(
      tableRule('public.products', {
        reads: ['id'],
        produces: [profile],
        structures: (row) => [setMember(teamMembers as never, { team_id: 1 } as never, row.id)],
      }),
    );
    expect(() =>
      rules.evaluateStructures(changeEvent({ op: 'insert', table: 'products', new: { id: 1 } })),
    ).toThrow(/not in its produces list/);
  });

  it('keeps structures out of the key actions', () => {
    const event = changeEvent({ op: 'insert', table: 'products', new: { id: 7, units_sold: 1 } });
    expect(products.evaluate(event)).toEqual([]);
  });
});
