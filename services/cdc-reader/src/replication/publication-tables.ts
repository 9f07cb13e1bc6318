import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@freshen/config';

const QUALIFIED = /^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * The tables a new publication is created for: PUBLICATION_TABLES plus every table the rules
 * module names (its RuleSet's `tables`), loaded as the invalidator loads it (a path relative to
 * the working directory, or a package name). Empty when neither is set: the reader then uses
 * an existing publication or refuses to start, and never falls back to FOR ALL TABLES.
 */
export async function publicationTables(
  listed: readonly string[],
  rulesModule: string,
  cwd = process.cwd(),
): Promise<string[]> {
  const tables = new Set(listed);
  if (rulesModule !== '') {
    for (const table of await tablesOfRules(rulesModule, cwd)) tables.add(table);
  }
  return [...tables];
}

async function tablesOfRules(specifier: string, cwd: string): Promise<string[]> {
  const target = /^[./]/.test(specifier)
    ? pathToFileURL(path.resolve(cwd, specifier)).href
    : specifier;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    // The first line only: a syntax error's message carries the offending source line.
    const reason = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new ConfigError([
      `RULES_MODULE=${specifier} could not be imported (${reason}); point it at a module whose default export is a RuleSet`,
    ]);
  }
  const tables = (loaded.default as { tables?: unknown } | undefined)?.tables;
  if (
    !Array.isArray(tables) ||
    !tables.every((table) => typeof table === 'string' && QUALIFIED.test(table))
  ) {
    throw new ConfigError([
      `RULES_MODULE=${specifier} has no RuleSet (with schema.table names in \`tables\`) as its default export; export default defineRules(...)`,
    ]);
  }
  return tables as string[];
}
