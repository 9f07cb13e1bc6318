import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newPgClient, newSchema, stackSettings, uniqueName, useCleanup } from '@freshen/test-kit';
import { runFreshen } from '../run-freshen.ts';

const cleanup = useCleanup();
const root = path.resolve(__dirname, '../../../..');
const runCli = (args: string[]) =>
  runFreshen(['validate', ...args], { DATABASE_URL: stackSettings().databaseUrl });

describe('freshen validate (npm run rules:validate)', () => {
  it('prints the fix and exits 1 when a table lacks the REPLICA IDENTITY FULL its rule needs; exits 0 once fixed', async () => {
    const db = await newPgClient(cleanup);
    const schema = await newSchema(cleanup, db, 'rules_cli');
    await db.query(`create table ${schema}.users (id bigint primary key, email text not null)`);
    const publication = uniqueName('rules_cli_pub');
    await db.query(`create publication ${publication} for table ${schema}.users`);
    cleanup.add(`drop publication ${publication}`, () =>
      db.query(`drop publication if exists ${publication}`),
    );

    // A rules module like a user's: it reads the old email, outside the primary key.
    const dir = await mkdtemp(path.join(tmpdir(), 'rules-cli-'));
    cleanup.add('rules module', () => rm(dir, { recursive: true, force: true }));
    const module = path.join(dir, 'rules.ts');
    await writeFile(
      module,
      `import { defineKeyspace } from ${JSON.stringify(path.join(root, 'packages/keys/src/index.ts'))};
import { defineRules, invalidate, tableRule } from ${JSON.stringify(path.join(root, 'packages/rules/src/index.ts'))};
const byEmail = defineKeyspace({ prefix: 'cli' }).kind('user-by-email', ['email']);
export default defineRules(
  tableRule('${schema}.users', {
    reads: ['email'],
    readsOld: ['email'],
    produces: [byEmail],
    keys: ({ new: row, old }) => [row, old].flatMap((r) => (r ? [invalidate(byEmail, { email: r.email })] : [])),
  }),
);
`,
    );

    const broken = await runCli(['--rules', module, '--publication', publication]);
    expect(broken.stdout).toContain(
      `${schema}.users column email (rule 'users'): the rule reads it from the old row, but REPLICA IDENTITY DEFAULT sends only id. Fix: ALTER TABLE ${schema}.users REPLICA IDENTITY FULL;`,
    );
    expect(broken.stdout).toContain(`1 problem found in ${module} and publication ${publication}`);
    expect(broken.code).toBe(1);

    await db.query(`ALTER TABLE ${schema}.users REPLICA IDENTITY FULL;`);
    const fixed = await runCli(['--rules', module, '--publication', publication]);
    expect(fixed.stdout).toContain(`rules OK: 1 tables match`);
    expect(fixed.code).toBe(0);
  });

  it('exits 78 naming the fix on a missing rules module or a module without a RuleSet', async () => {
    const missing = await runCli([]);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('no rules module: pass --rules <module> or set RULES_MODULE');
    const notRules = await runCli([
      '--rules',
      path.join(root, 'packages/rules/src/cache-action.ts'),
    ]);
    expect(notRules.code).toBe(78);
    expect(notRules.stderr).toContain('has no default export, so it is not a RuleSet');
  });
});
