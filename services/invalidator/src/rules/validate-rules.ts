import { redactUrl } from '@freshen/config';
import { assertRulesValid, type RuleSet } from '@freshen/rules';
import { FreshenError, type Logger } from '@freshen/runtime';
import pg from 'pg';

/**
 * VALIDATE_RULES: checks the rules against the live schema (tables, columns, replica identity,
 * and the publication when named) and throws SCHEMA_MISMATCH listing every problem, so the
 * service refuses to start instead of silently missing invalidations.
 */
export async function validateRulesAgainstDatabase(
  rules: RuleSet,
  databaseUrl: string,
  publication: string,
  logger: Logger,
): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  // Otherwise pg's own error escapes: exit 1 with a stack instead of one line and exit 69.
  await db.connect().catch((error: unknown) => {
    throw new FreshenError(
      'POSTGRES_UNAVAILABLE',
      `VALIDATE_RULES cannot connect to ${redactUrl(databaseUrl)}: ${(error as Error).message}. Check DATABASE_URL, or set VALIDATE_RULES=false`,
      { cause: error },
    );
  });
  try {
    await assertRulesValid(db, rules, publication === '' ? {} : { publication });
    logger.info({ tables: rules.tables.length, publication }, 'rules match the database schema');
  } finally {
    await db.end();
  }
}
