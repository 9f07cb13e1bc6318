import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleSet } from '@freshen/rules';
import { FreshenError } from '@freshen/runtime';

/**
 * Loads the RuleSet a module default-exports. `specifier` is a file path (relative to the
 * working directory) or a package name; empty means the example rules (local runs).
 */
export async function loadRules(specifier: string, cwd = process.cwd()): Promise<RuleSet> {
  const target =
    specifier === ''
      ? '@freshen/example'
      : /^[./]/.test(specifier)
        ? pathToFileURL(path.resolve(cwd, specifier)).href
        : specifier;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new FreshenError(
      'CONFIG_INVALID',
      `RULES_MODULE=${specifier} could not be imported: ${(error as Error).message}. Point it at a module whose default export is a RuleSet`,
      { cause: error },
    );
  }
  const rules = (specifier === '' ? (loaded.exampleRules ?? loaded.default) : loaded.default) as
    Partial<RuleSet> | undefined;
  if (
    !rules ||
    typeof rules.evaluate !== 'function' ||
    typeof rules.hasTable !== 'function' ||
    typeof rules.truncatePatterns !== 'function'
  ) {
    throw new FreshenError(
      'CONFIG_INVALID',
      `RULES_MODULE=${specifier || '@freshen/example'} has no RuleSet as its default export. Export one: export default defineRules(...)`,
    );
  }
  return rules as RuleSet;
}
