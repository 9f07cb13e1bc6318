import { spawn } from 'node:child_process';
import path from 'node:path';

const fixture = path.join(__dirname, 'fixtures/service.ts');

function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': only then has all of the output been read.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const parse = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string; exitCode?: number });

describe('runService output and exit codes', () => {
  it.concurrent(
    'regression: configuration problems were "config:" text on stderr; now one fatal JSON line each, exit 78',
    async () => {
      const { code, stdout, stderr } = await run('config');
      expect({ code, stderr }).toEqual({ code: 78, stderr: '' });
      expect(parse(stdout).map((line) => [line.level, line.msg, line.exitCode])).toEqual([
        [60, 'A is bad. Fix A', 78],
        [60, 'B is bad. Fix B', 78],
      ]);
    },
  );

  it.concurrent(
    'an unreachable dependency exits 69 with one line, password hidden, no stack',
    async () => {
      const { code, stdout, stderr } = await run('unavailable');
      expect({ code, stderr }).toEqual({ code: 69, stderr: '' });
      const [fatal] = parse(stdout);
      expect(fatal).toEqual(
        expect.objectContaining({
          level: 60,
          code: 'KAFKA_UNAVAILABLE',
          exitCode: 69,
          msg: 'failed to start: cannot reach redis://:***@cache:1. Start it',
        }),
      );
      expect(fatal).not.toHaveProperty('err');
    },
  );

  it.concurrent(
    'Node warnings, console output of libraries and an uncaught error are JSON lines too (nothing on stderr), exit 1',
    async () => {
      const { code, stdout, stderr } = await run('uncaught');
      expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
      // A warning is emitted on the next tick, so the console line may come first.
      expect(parse(stdout)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 40, msg: 'something deprecated' }),
          expect.objectContaining({
            level: 40,
            source: 'console',
            msg: '[WARN] Redis server does not require a password, but a password was supplied.',
          }),
        ]),
      );
      expect(parse(stdout).at(-1)).toEqual(
        expect.objectContaining({
          level: 60,
          exitCode: 1,
          msg: expect.stringMatching(/^uncaught exception: /),
        }),
      );
    },
  );
});
