import type { RuleSet } from '@freshen/rules';
import { FreshenError, type Logger } from '@freshen/runtime';
import pg from 'pg';

type Validate = (rules: RuleSet, db: pg.Client) => Promise<unknown>;

/**
 * VALIDATE_RULES: checks the rules against the live schema with the rules package's
 * validateRules (refusing to start on a mismatch). Looked up at run time so the invalidator
 * still starts without it when validation is off.
 */
export async function validateRulesAgainstDatabase(
  rules: RuleSet,
  databaseUrl: string,
  logger: Logger,
): Promise<void> {
  const validate = ((await import('@freshen/rules')) as Record<string, unknown>).validateRules as
    Validate | undefined;
  if (typeof validate !== 'function') {
    throw new FreshenError(
      'CONFIG_INVALID',
      'VALIDATE_RULES=true but @freshen/rules has no validateRules in this build. Set VALIDATE_RULES=false',
    );
  }
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await validate(rules, db);
    logger.info({ tables: rules.tables.length }, 'rules match the database schema');
  } finally {
    await db.end();
  }
}
