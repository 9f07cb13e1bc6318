import type { ChangeEvent } from '@freshen/change-event';
import { defineKeyspace } from '@freshen/keys';
import { defineRules, hashFields, setMember, tableRule, zset } from '@freshen/rules';
import { itemEvent } from './events.ts';

/**
 * Rules that keep one structure of each type, written with the rules DSL (so these tests pin
 * the whole path from a rule's structures to Redis). Tables of `<schema>`:
 * - products(id pk, units_sold, listed): listed products in `leaderboard` by units sold
 *   (`listed` in readsOld: the tests send the old row as REPLICA IDENTITY FULL would);
 * - memberships(team_id, user_id, primary key both): each team's user ids in `team-members`;
 * - users(id pk, name, email): fields name and email of `profile`.
 */
export function structureRules(prefix: string, schema = 'app') {
  const space = defineKeyspace({ prefix });
  const leaderboard = space.kind('leaderboard', [] as const);
  const teamMembers = space.kind('team-members', ['team_id'] as const, { hashTag: 'team_id' });
  const profile = space.kind('profile', ['id'] as const, { hashTag: true });
  const rules = defineRules(
    tableRule(`${schema}.products`, {
      reads: ['id', 'units_sold', 'listed'],
      readsOld: ['listed'],
      produces: [leaderboard],
      structures: (row) =>
        row.listed === false ? [] : [zset(leaderboard, {}, row.id, row.units_sold)],
    }),
    tableRule(`${schema}.memberships`, {
      reads: ['team_id', 'user_id'],
      produces: [teamMembers],
      structures: (row) => [setMember(teamMembers, { team_id: row.team_id }, row.user_id)],
    }),
    tableRule(`${schema}.users`, {
      reads: ['id', 'name', 'email'],
      produces: [profile],
      structures: (row) => [
        hashFields(profile, { id: row.id }, { name: row.name, email: row.email }),
      ],
    }),
  );
  return { rules, leaderboard, teamMembers, profile, schema };
}

type Row = Record<string, unknown>;

/** An event of `<schema>.<table>` with a fresh increasing LSN; `key` is the row's primary key. */
export function structureEvent(
  schema: string,
  table: string,
  op: 'insert' | 'update' | 'delete',
  rows: { key: Row; new?: Row; old?: Row },
): ChangeEvent {
  return itemEvent(schema, 0, null, {
    op,
    table,
    key: rows.key,
    new: rows.new ?? null,
    old: rows.old ?? (op === 'delete' ? rows.key : null),
  });
}
