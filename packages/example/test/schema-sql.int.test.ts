import { validateRules } from '@freshen/rules';
import { newPgClient, newSchema, uniqueName, useCleanup } from '@freshen/test-kit';
import { createExampleKeys, createExampleRules, EXAMPLE_SCHEMA_SQL } from '../src/index.ts';

const cleanup = useCleanup();

describe('EXAMPLE_SCHEMA_SQL', () => {
  it('is idempotent and gives exactly what the example rules need', async () => {
    const db = await newPgClient(cleanup);
    const schema = await newSchema(cleanup, db, 'example');
    await db.query(EXAMPLE_SCHEMA_SQL(schema));
    await db.query(EXAMPLE_SCHEMA_SQL(schema)); // a second run changes nothing and does not fail
    const rules = createExampleRules(schema, createExampleKeys(uniqueName('ex')));
    const publication = uniqueName('example_pub');
    await db.query(`create publication ${publication} for table ${rules.tables.join(', ')}`);
    cleanup.add(`drop publication ${publication}`, () =>
      db.query(`drop publication if exists ${publication}`),
    );

    expect(await validateRules(db, rules, { publication })).toEqual([]);

    // The users rule reads the old email: without REPLICA IDENTITY FULL validation names the fix.
    await db.query(`alter table ${schema}.users replica identity default`);
    expect((await validateRules(db, rules, { publication })).map((p) => p.fix)).toEqual([
      `ALTER TABLE ${schema}.users REPLICA IDENTITY FULL;`,
    ]);
  });
});
