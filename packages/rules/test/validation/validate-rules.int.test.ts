import { defineKeyspace } from '@freshen/keys';
import { isFreshenError } from '@freshen/runtime';
import { newPgClient, newSchema, uniqueName, useCleanup } from '@freshen/test-kit';
import type pg from 'pg';
import {
  assertRulesValid,
  defineRules,
  invalidate,
  tableRule,
  validateRules,
  type RuleSet,
} from '../../src/index.ts';

const cleanup = useCleanup();
const space = defineKeyspace({ prefix: 'validate' });
const user = space.kind('user', ['id']);
const byEmail = space.kind('user-by-email', ['email']);

let db: pg.Client;
let schema: string;

beforeAll(async () => {
  db = await newPgClient(cleanup);
  schema = await newSchema(cleanup, db, 'rules_validate');
});

/** A table `name` in the test schema, created with `ddl` (column definitions). */
async function table(name: string, ddl: string, after = ''): Promise<string> {
  await db.query(
    `create table ${schema}.${name} (${ddl}); ${after.replaceAll('$T', `${schema}.${name}`)}`,
  );
  return `${schema}.${name}`;
}

async function publication(...tables: string[]): Promise<string> {
  const name = uniqueName('rules_pub');
  await db.query(`create publication ${name} for table ${tables.join(', ')}`);
  cleanup.add(`drop publication ${name}`, () => db.query(`drop publication if exists ${name}`));
  return name;
}

/** The users rule: reads the old email (outside the key), so it needs REPLICA IDENTITY FULL. */
function usersRules(qualified: string, reads: string[] = ['id', 'email']): RuleSet {
  return defineRules(
    tableRule(qualified, {
      name: 'users',
      reads,
      readsOld: ['id', 'email'],
      produces: [user, byEmail],
      keys: () => [],
    }),
  );
}

async function messages(rules: RuleSet, publicationName?: string): Promise<string[]> {
  const problems = await validateRules(
    db,
    rules,
    publicationName === undefined ? {} : { publication: publicationName },
  );
  return problems.map((p) => p.message);
}

describe('validateRules against Postgres', () => {
  it('accepts a table that fits', async () => {
    const users = await table(
      'users_ok',
      'id bigint primary key, email text',
      'alter table $T replica identity full',
    );
    expect(await messages(usersRules(users), await publication(users))).toEqual([]);
  });

  it('accepts old-row columns covered by REPLICA IDENTITY USING INDEX', async () => {
    const users = await table(
      'users_index',
      'id bigint not null, email text not null',
      `create unique index users_index_id_email on $T (id, email); alter table $T replica identity using index users_index_id_email`,
    );
    expect(await messages(usersRules(users))).toEqual([]);
  });

  it('reports a missing table', async () => {
    expect(await messages(usersRules(`${schema}.nope`))).toEqual([
      `${schema}.nope: table does not exist. Fix: create it (CREATE TABLE ${schema}.nope (...), or run the migration that does), or correct the table name in the rule`,
    ]);
  });

  it('reports a column the rule reads that does not exist', async () => {
    const users = await table(
      'users_typo',
      'id bigint primary key, email text',
      'alter table $T replica identity full',
    );
    expect(await messages(usersRules(users, ['id', 'emial']))).toEqual([
      `${users} column emial (rule 'users'): column does not exist but the rule reads it. Fix: correct the column name in the rule, or ALTER TABLE ${users} ADD COLUMN emial <type>;`,
    ]);
  });

  it('reports an old-row column outside the key without REPLICA IDENTITY FULL', async () => {
    const users = await table('users_default', 'id bigint primary key, email text');
    expect(await messages(usersRules(users))).toEqual([
      `${users} column email (rule 'users'): the rule reads it from the old row, but REPLICA IDENTITY DEFAULT sends only id. Fix: ALTER TABLE ${users} REPLICA IDENTITY FULL;`,
    ]);
  });

  it('reports a table without primary key or replica identity, and a primary key hidden by REPLICA IDENTITY NOTHING', async () => {
    const users = await table('users_nokey', 'id bigint, email text');
    const nothing = await table(
      'users_nothing',
      'id bigint primary key, email text',
      'alter table $T replica identity nothing',
    );
    expect(await messages(usersRules(users))).toEqual([
      `${users}: no primary key and no replica identity (REPLICA IDENTITY DEFAULT), so Postgres cannot send which row an update or delete changed. Fix: ALTER TABLE ${users} ADD PRIMARY KEY (id); or ALTER TABLE ${users} REPLICA IDENTITY FULL;`,
    ]);
    // Regression: a table with a primary key but REPLICA IDENTITY NOTHING was said to have none.
    expect(await messages(usersRules(nothing))).toEqual([
      `${nothing}: it has a primary key (id) but REPLICA IDENTITY NOTHING, so Postgres sends no old key and rejects its updates and deletes while it is published. Fix: ALTER TABLE ${nothing} REPLICA IDENTITY DEFAULT;`,
    ]);
  });

  it('reports a table missing from the publication', async () => {
    const users = await table(
      'users_unpublished',
      'id bigint primary key, email text',
      'alter table $T replica identity full',
    );
    const other = await table('other', 'id bigint primary key');
    const pub = await publication(other);
    expect(await messages(usersRules(users), pub)).toEqual([
      `${users}: not in publication ${pub}, so its changes never reach Freshen. Fix: ALTER PUBLICATION ${pub} ADD TABLE ${users};`,
    ]);
  });

  it('reports a missing publication with the statement that creates it', async () => {
    const users = await table(
      'users_nopub',
      'id bigint primary key, email text',
      'alter table $T replica identity full',
    );
    const missing = uniqueName('rules_pub');
    expect(await messages(usersRules(users), missing)).toEqual([
      `${missing}: publication ${missing} does not exist, so no change reaches Freshen. Fix: CREATE PUBLICATION ${missing} FOR TABLE ${users};`,
    ]);
  });

  it('reports a publication that skips deletes', async () => {
    const users = await table(
      'users_nodelete',
      'id bigint primary key, email text',
      'alter table $T replica identity full',
    );
    const pub = await publication(users);
    await db.query(`alter publication ${pub} set (publish = 'insert, update')`);
    expect(await messages(usersRules(users), pub)).toEqual([
      `${pub}: publication ${pub} does not publish delete, truncate, so those changes never invalidate keys. Fix: ALTER PUBLICATION ${pub} SET (publish = 'insert, update, delete, truncate');`,
    ]);
  });

  it('reports a read column left out of the publication column list', async () => {
    const users = await table(
      'users_collist',
      'id bigint primary key, email text, name text',
      'alter table $T replica identity full',
    );
    const pub = uniqueName('rules_pub');
    // A column list must cover the replica identity for updates; here it leaves out email, which the rule reads.
    await db.query(
      `create publication ${pub} for table ${users} (id, name) with (publish = 'insert, update, delete, truncate')`,
    );
    cleanup.add(`drop publication ${pub}`, () => db.query(`drop publication if exists ${pub}`));
    expect(await messages(usersRules(users), pub)).toEqual([
      `${users} column email (rule 'users'): publication ${pub} has a column list without it, so the rule never sees it. Fix: ALTER PUBLICATION ${pub} DROP TABLE ${users}; ALTER PUBLICATION ${pub} ADD TABLE ${users};`,
    ]);
  });

  it('checks only tables for a RuleSet that does not describe its columns', async () => {
    const bare: RuleSet = {
      tables: [`${schema}.gone`],
      hasTable: () => true,
      evaluate: () => [],
      truncatePatterns: () => [],
    };
    expect(await messages(bare)).toEqual([expect.stringContaining('table does not exist')]);
  });

  it('throws SCHEMA_MISMATCH listing every problem from assertRulesValid', async () => {
    const users = await table('users_assert', 'id bigint primary key, email text');
    const rules = defineRules(
      tableRule(users, {
        name: 'users',
        reads: ['id'],
        readsOld: ['email'],
        produces: [user],
        keys: ({ new: row }) => (row ? [invalidate(user, { id: row.id })] : []),
      }),
    );
    const error = await assertRulesValid(db, rules).catch((caught: unknown) => caught);
    expect(isFreshenError(error, 'SCHEMA_MISMATCH') && error.message).toMatch(
      /1 problem\):\n {2}.*REPLICA IDENTITY FULL;$/,
    );
  });
});
