import { loadRuleSet } from '@freshen/rules';

/**
 * The tables a new publication is created for: PUBLICATION_TABLES plus every table the rules
 * module names (its RuleSet's `tables`), loaded by the one rules loader the invalidator uses
 * (a path relative to the working directory, or a package name). Empty when neither is set: the reader then uses
 * an existing publication or refuses to start, and never falls back to FOR ALL TABLES.
 */
export async function publicationTables(
  listed: readonly string[],
  rulesModule: string,
  cwd = process.cwd(),
): Promise<string[]> {
  const tables = new Set(listed);
  if (rulesModule !== '') {
    for (const table of (await loadRuleSet(rulesModule, { cwd })).tables) tables.add(table);
  }
  return [...tables];
}
