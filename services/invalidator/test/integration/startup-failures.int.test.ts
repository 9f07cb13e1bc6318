import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, jsonLines, useCleanup } from '@freshen/test-kit';
import { runServiceToExit } from '../support/service-process.ts';

const cleanup = useCleanup();
const RULES = './test/support/rules-module.ts';

// Rules modules that fail in each way a user's can. Written to a temporary folder, since a
// file with a syntax error cannot live in the repository (type-check, lint, Prettier). Made
// once at load: concurrent tests start before beforeAll hooks have finished.
const fixtures = (async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'inv-bad-rules-'));
  cleanup.add('bad rules modules', () => rm(folder, { recursive: true, force: true }));
  await writeFile(path.join(folder, 'syntax.ts'), 'export default {{\n');
  await writeFile(path.join(folder, 'throws.ts'), "throw new Error('rules exploded');\n");
  await writeFile(path.join(folder, 'shape.ts'), 'export default { tables: [] };\n');
  return folder;
})();

// Each of these exited 1 with a multi-line stack (the rules modules, the broker port) or
// started on defaults (RULES_MODULE unset, SLOT_NAM); each must refuse with exit 78 and one
// JSON line naming the variable, and never print a secret.
const cases: [string, (dir: string) => Record<string, string>, RegExp][] = [
  ['RULES_MODULE unset (ran the example rules)', () => ({}), /^RULES_MODULE is not set\. /],
  [
    'a missing rules module',
    (dir) => ({ RULES_MODULE: path.join(dir, 'missing.ts') }),
    /^RULES_MODULE=.*missing\.ts names no file or package/,
  ],
  [
    'a rules module with a syntax error',
    (dir) => ({ RULES_MODULE: path.join(dir, 'syntax.ts') }),
    /^RULES_MODULE=.*syntax\.ts does not parse: /,
  ],
  [
    'a rules module that throws on import',
    (dir) => ({ RULES_MODULE: path.join(dir, 'throws.ts') }),
    /^RULES_MODULE=.*throws\.ts threw while loading: rules exploded; fix the module/,
  ],
  [
    'a rules module exporting the wrong shape',
    (dir) => ({ RULES_MODULE: path.join(dir, 'shape.ts') }),
    /^RULES_MODULE=.*shape\.ts has a default export without hasTable\(\)/,
  ],
  [
    'KAFKA_BROKERS=host:99999',
    () => ({ RULES_MODULE: RULES, KAFKA_BROKERS: 'host:99999' }),
    /^KAFKA_BROKERS="host:99999" is invalid: host:99999: a port is 1 to 65535/,
  ],
  [
    'a misspelt variable (SLOT_NAM, the reader setting, in a shared env file)',
    () => ({ RULES_MODULE: RULES, SLOT_NAM: 'x' }),
    /^SLOT_NAM is not a Freshen variable; did you mean SLOT_NAME\?/,
  ],
  [
    'a DATABASE_URL without // (printed its password)',
    () => ({
      RULES_MODULE: RULES,
      VALIDATE_RULES: 'true',
      DATABASE_URL: 'postgres:u:PASS@host/db',
    }),
    /^DATABASE_URL=<hidden> is invalid: expected a URL starting with postgres:\/\//,
  ],
];

describe('invalidator start-up failures', () => {
  // Concurrent: each is a Node start-up, mostly waiting on module loading.
  it.concurrent.each(cases)(
    'regression: %s exits 78 with one JSON line',
    async (_, env, expected) => {
      const { code, stdout, stderr } = await runServiceToExit(cleanup, env(await fixtures));
      const lines = [...jsonLines(stdout), ...jsonLines(stderr)];
      expect({ code, lines: lines.map((line) => line.msg) }).toEqual({
        code: 78,
        lines: [expect.stringMatching(expected)],
      });
      expect(lines[0]).toMatchObject({ level: 60, exitCode: 78 });
      expect(stdout + stderr).not.toContain('PASS');
    },
  );
});

describe('invalidator start-up with a dependency unreachable', () => {
  it('regression: VALIDATE_RULES against an unreachable Postgres exited 1 with a stack; now 69, one line', async () => {
    const port = await freePort(); // nothing listens there
    const { code, stdout, stderr } = await runServiceToExit(cleanup, {
      RULES_MODULE: RULES,
      VALIDATE_RULES: 'true',
      DATABASE_URL: `postgres://u:PASS@127.0.0.1:${port}/db`,
    });
    const lines = [...jsonLines(stdout), ...jsonLines(stderr)];
    expect({ code, lines: lines.map((line) => line.msg) }).toEqual({
      code: 69,
      lines: [
        expect.stringMatching(
          /^failed to start: VALIDATE_RULES cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/db: .*Check DATABASE_URL/,
        ),
      ],
    });
    expect(lines[0]).toMatchObject({ code: 'POSTGRES_UNAVAILABLE', exitCode: 69 });
    expect(lines[0]).not.toHaveProperty('err'); // an expected failure: no stack
    expect(stdout + stderr).not.toContain('PASS');
  });
});
