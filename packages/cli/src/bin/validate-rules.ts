// `npm run rules:validate -- --rules <module> [--publication <name>]`: checks a rules module
// against the live database (DATABASE_URL, default the local stack). Prints one line per
// problem with the SQL that fixes it; exits 1 if there is any, 2 on a usage or connection error.
import { parseArgs } from 'node:util';
import { ConfigError, redactUrl } from '@freshen/config';
import pg from 'pg';
import { loadRuleSet, validateRules } from '@freshen/rules';
import { readCliConfig } from '../cli-config.ts';

const USAGE =
  'usage: npm run rules:validate -- --rules <module path or package> [--publication <name>]';

async function main(): Promise<number> {
  let values: { rules?: string; publication?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        rules: { type: 'string' },
        publication: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.rules) {
    console.error(`--rules is required\n${USAGE}`);
    return 2;
  }
  let databaseUrl: string;
  try {
    ({ databaseUrl } = readCliConfig(process.env, process.cwd()));
  } catch (error) {
    printProblems(error);
    return 2;
  }
  let rules;
  try {
    rules = await loadRuleSet(values.rules, { cwd: process.cwd(), setting: '--rules' });
  } catch (error) {
    printProblems(error);
    return 2;
  }
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await db.connect();
  } catch (error) {
    console.error(`cannot connect to ${redactUrl(databaseUrl)}: ${(error as Error).message}`);
    return 2;
  }
  try {
    const problems = await validateRules(
      db,
      rules,
      values.publication === undefined ? {} : { publication: values.publication },
    );
    const against =
      values.publication === undefined ? '' : ` and publication ${values.publication}`;
    if (problems.length === 0) {
      console.log(
        `rules OK: ${rules.tables.length} tables match ${redactUrl(databaseUrl)}${against}`,
      );
      return 0;
    }
    for (const problem of problems) console.log(problem.message);
    console.log(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} found in ${values.rules}${against}`,
    );
    return 1;
  } finally {
    await db.end();
  }
}

/** A configuration error as one line per problem; anything else as its message. */
function printProblems(error: unknown): void {
  if (error instanceof ConfigError) for (const problem of error.problems) console.error(problem);
  else console.error(error instanceof Error ? error.message : String(error));
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  return 2;
});
