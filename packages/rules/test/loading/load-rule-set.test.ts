import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@freshen/config';
import { loadRuleSet } from '../../src/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'load-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ruleSetSource = `export default {
  tables: ['public.users'],
  hasTable: () => true,
  evaluate: () => [],
  truncatePatterns: () => [],
};
`;
writeFileSync(path.join(dir, 'good.mjs'), ruleSetSource);
writeFileSync(path.join(dir, 'syntax.mjs'), 'export default {{\n');
writeFileSync(
  path.join(dir, 'throws.mjs'),
  "throw new Error('no rules for you: postgres://u:PASS@db/x\\nsecond line');\n",
);
writeFileSync(
  path.join(dir, 'own-config.mjs'),
  `import { readConfig, string } from ${JSON.stringify(require.resolve('@freshen/config'))};
readConfig({ RULES_SCHEMA: string({ doc: 'Schema.' }) }, {});
`,
);
writeFileSync(path.join(dir, 'shape.mjs'), 'export default { tables: [] };\n');
writeFileSync(path.join(dir, 'named.mjs'), 'export const rules = 1;\n');

async function problemOf(specifier: string, setting?: string): Promise<string> {
  try {
    await loadRuleSet(specifier, { cwd: dir, setting });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('\n');
    return problems[0]!;
  }
  throw new Error(`${specifier} loaded`);
}

describe('loadRuleSet (RULES_MODULE, rules:validate --rules)', () => {
  it('loads a default-exported RuleSet by relative or absolute path, or by package name', async () => {
    expect((await loadRuleSet('./good.mjs', { cwd: dir })).tables).toEqual(['public.users']);
    expect((await loadRuleSet('good.mjs', { cwd: dir })).tables).toEqual(['public.users']);
    expect(
      (await loadRuleSet(path.join(dir, 'good.mjs'), { cwd: '/' })).tables.length,
    ).toBeGreaterThan(0);
    const example = await loadRuleSet('@freshen/example/rules', { cwd: __dirname });
    expect(example.tables).toContain('public.users');
  });

  // Regression: each of these exited 1 with a multi-line stack instead of one line and 78.
  it('regression: a missing module is one line naming the setting', async () => {
    expect(await problemOf('./missing.ts')).toMatch(
      /^RULES_MODULE=\.\/missing\.ts names no file or package \(resolved from .*\); point it at your rules module/,
    );
    expect(await problemOf('@freshen/no-such-package')).toMatch(/names no file or package/);
  });

  it('regression: a syntax error is one line', async () => {
    expect(await problemOf('./syntax.mjs')).toMatch(
      /^RULES_MODULE=\.\/syntax\.mjs does not parse: .+; fix the module/,
    );
  });

  it('regression: a module that throws on import is one line, with any password hidden', async () => {
    const problem = await problemOf('./throws.mjs');
    expect(problem).toMatch(/^RULES_MODULE=\.\/throws\.mjs threw while loading: no rules for you/);
    expect(problem).not.toContain('PASS');
  });

  it("a module refusing its own settings is one line with the module's problems", async () => {
    expect(await problemOf('./own-config.mjs')).toMatch(
      /^RULES_MODULE=\.\/own-config\.mjs threw while loading: RULES_SCHEMA is not set\./,
    );
  });

  it('regression: the wrong export shape is one line saying what to export', async () => {
    expect(await problemOf('./shape.mjs')).toBe(
      'RULES_MODULE=./shape.mjs has a default export without hasTable(), evaluate(), truncatePatterns(), so it is not a RuleSet; end the module with: export default defineRules(...)',
    );
    expect(await problemOf('./named.mjs', '--rules')).toBe(
      '--rules ./named.mjs has no default export, so it is not a RuleSet; end the module with: export default defineRules(...)',
    );
  });
});
