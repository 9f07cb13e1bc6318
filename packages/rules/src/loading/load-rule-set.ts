import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, redactSecrets } from '@freshen/config';
import type { RuleSet } from '../rule-set.ts';

export interface LoadRuleSetOptions {
  /** Relative paths and package names resolve from here (the process's working directory). */
  cwd: string;
  /** How the user named the module, for messages: `RULES_MODULE` (default) or `--rules`. */
  setting?: string;
}

const EXPORT_FIX = 'end the module with: export default defineRules(...)';

/**
 * The RuleSet a module default-exports: the one loader behind the invalidator's RULES_MODULE,
 * the reader's and `rules:validate --rules`. `specifier` is a file path (absolute, or relative
 * to `cwd`) or a package specifier such as `@freshen/example/rules`.
 *
 * Every way this fails (no such file or package, a syntax error, the module throwing while it
 * loads, a default export that is not a RuleSet) is a ConfigError with one line that names
 * the setting and the fix, so a service refuses to start with exit 78 instead of a stack.
 */
export async function loadRuleSet(
  specifier: string,
  options: LoadRuleSetOptions,
): Promise<RuleSet> {
  const setting = `${options.setting ?? 'RULES_MODULE'}${options.setting?.startsWith('-') ? ' ' : '='}${specifier}`;
  const fail = (problem: string): never => {
    throw new ConfigError([`${setting} ${problem}`]);
  };
  if (specifier.trim() === '') fail(`is empty; point it at your rules module (${EXPORT_FIX})`);

  const target = resolveTarget(specifier, options.cwd);
  if (target === undefined) {
    fail(
      `names no file or package (resolved from ${options.cwd}); point it at your rules module, a path or a package name`,
    );
  }
  let loaded: { default?: unknown };
  try {
    loaded = (await import(target!)) as { default?: unknown };
  } catch (error) {
    const what = error instanceof SyntaxError ? 'does not parse' : 'threw while loading';
    fail(`${what}: ${firstLine(error)}; fix the module (${EXPORT_FIX})`);
  }
  const rules = unwrapCommonJs(loaded!.default);
  const missing = missingMembers(rules);
  if (missing.length > 0) {
    const found =
      rules === undefined ? 'no default export' : `a default export without ${missing.join(', ')}`;
    fail(`has ${found}, so it is not a RuleSet; ${EXPORT_FIX}`);
  }
  return rules as RuleSet;
}

/** A file URL for a path that exists, else the package specifier if it resolves; else undefined. */
function resolveTarget(specifier: string, cwd: string): string | undefined {
  const file = path.resolve(cwd, specifier);
  if (existsSync(file)) return pathToFileURL(file).href;
  // A path that does not exist is never retried as a package name.
  if (/^(\.{1,2}[/\\]|[/\\])/.test(specifier) || path.isAbsolute(specifier)) return undefined;
  try {
    // Resolve as the application would, from its own directory (not from this package's).
    return pathToFileURL(createRequire(path.join(cwd, 'package.json')).resolve(specifier)).href;
  } catch (error) {
    // Found, but exported for `import` only: let import() resolve it.
    if ((error as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return specifier;
    return undefined;
  }
}

/**
 * A CommonJS module compiled from `export default rules` (tsc, swc) sets `exports.default`;
 * import() hands the whole `exports` over as the default, so the RuleSet is one level down.
 */
function unwrapCommonJs(value: unknown): unknown {
  const inner = value as { __esModule?: unknown; default?: unknown } | undefined;
  return inner?.__esModule === true && inner.default !== undefined ? inner.default : value;
}

function missingMembers(rules: unknown): string[] {
  if (typeof rules !== 'object' || rules === null) return ['tables', 'evaluate'];
  const candidate = rules as Partial<Record<keyof RuleSet, unknown>>;
  const missing: string[] = [];
  if (!Array.isArray(candidate.tables)) missing.push('tables');
  for (const member of ['hasTable', 'evaluate', 'truncatePatterns'] as const) {
    if (typeof candidate[member] !== 'function') missing.push(`${member}()`);
  }
  return missing;
}

/** The first line of an error's message (type-stripping errors carry a code frame), redacted. */
function firstLine(error: unknown): string {
  // A module that reads its own settings (the example harness's) may refuse them itself.
  if (error instanceof ConfigError) return redactSecrets(error.problems.join('; '));
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(
    message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error',
  ).trim();
}
