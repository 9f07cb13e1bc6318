import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleSet } from '../rule-set.ts';

/**
 * The RuleSet a module default-exports. `specifier` is a file path (relative to `cwd`) or a
 * package specifier such as `@freshen/example/rules`. Throws an Error that says what to export.
 */
export async function loadRuleSet(specifier: string, cwd: string): Promise<RuleSet> {
  const file = path.resolve(cwd, specifier);
  const target = existsSync(file) ? pathToFileURL(file).href : specifier;
  const loaded = (await import(target)) as { default?: Partial<RuleSet> };
  const rules = loaded.default;
  if (
    !rules ||
    !Array.isArray(rules.tables) ||
    typeof rules.evaluate !== 'function' ||
    typeof rules.truncatePatterns !== 'function'
  ) {
    throw new Error(
      `${specifier} has no RuleSet as its default export; end the module with: export default defineRules(...)`,
    );
  }
  return rules as RuleSet;
}
