import { redactUrl } from '@freshen/config';
import { loadRuleSet, validateRules } from '@freshen/rules';
import { readCliConfig, requireDatabase, requireRules } from '../cli-config.ts';
import type { Command } from '../cli/command.ts';
import { connectPostgres } from '../cli/connections.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions } from '../cli/parse-options.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a rules module against the live schema (replica identity, columns, publication)',
  usage: `usage: freshen validate [--rules <module>] [--publication <name>] [--json]
  Checks the rules module (default RULES_MODULE) against DATABASE_URL: every table, column
  and replica identity the rules read, and with --publication that the publication carries them.
  Prints one line per problem with the SQL that fixes it.
  exit 0 the rules match, 1 problems found, 3 Postgres unreachable, 78 bad configuration or module`,
  async run(context) {
    const { values } = parseOptions(context.argv, {
      rules: { type: 'string' },
      publication: { type: 'string' },
    });
    const config = readCliConfig(context.env, context.cwd);
    const rulesModule = requireRules(config, values.rules);
    const databaseUrl = requireDatabase(config);
    const rules = await loadRuleSet(rulesModule, {
      cwd: context.cwd,
      setting: values.rules === undefined ? 'RULES_MODULE' : '--rules',
    });
    const db = await connectPostgres(databaseUrl);
    try {
      const problems = await validateRules(
        db,
        rules,
        values.publication === undefined ? {} : { publication: values.publication },
      );
      if (values.json) {
        context.stdout.write(
          `${JSON.stringify({ ok: problems.length === 0, tables: rules.tables, problems })}\n`,
        );
        return problems.length === 0 ? EXIT.OK : EXIT.ATTENTION;
      }
      const against =
        values.publication === undefined ? '' : ` and publication ${values.publication}`;
      if (problems.length === 0) {
        context.stdout.write(
          `rules OK: ${rules.tables.length} tables match ${redactUrl(databaseUrl)}${against}\n`,
        );
        return EXIT.OK;
      }
      for (const problem of problems) context.stdout.write(`${problem.message}\n`);
      context.stdout.write(
        `${problems.length} problem${problems.length === 1 ? '' : 's'} found in ${rulesModule}${against}\n`,
      );
      return EXIT.ATTENTION;
    } finally {
      await db.end();
    }
  },
};
