import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, useCleanup } from '../../src/index.ts';

const cleanup = useCleanup();
const stackScript = path.resolve(__dirname, '../../../../infra/stack/stack.sh');

function runStack(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [stackScript, 'up'],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A PATH that has everything /usr/bin and /bin have, except the named commands. */
function pathWithout(...missing: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'freshen-path-'));
  cleanup.add('fake PATH', () => rmSync(dir, { recursive: true, force: true }));
  for (const source of ['/usr/local/bin', '/usr/bin', '/bin']) {
    for (const name of readdirSync(source)) {
      if (missing.includes(name)) continue;
      try {
        symlinkSync(path.join(source, name), path.join(dir, name));
      } catch {
        // already linked from an earlier folder on PATH
      }
    }
  }
  return `${path.dirname(process.execPath)}:${dir}`;
}

function privateStackDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'freshen-stack-'));
  mkdirSync(dir, { recursive: true });
  cleanup.add('stack dir', () => {
    // As root, a stack in a private (mode 700) folder keeps its Postgres data under /var/tmp
    // behind a symlink (postgres.sh): remove that too.
    const data = path.join(dir, 'postgres', 'data');
    if (existsSync(data)) rmSync(realpathSync(data), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

describe('stack.sh prerequisites and ports', () => {
  it('names the missing prerequisite and how to install it, in one line, without starting anything', async () => {
    const result = await runStack({
      PATH: pathWithout('java'),
      FRESHEN_STACK_DIR: privateStackDir(),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      "stack: 'java' not found. Install Java 17 or newer: apt-get install openjdk-17-jre-headless",
    );
  });

  it('says which port is busy and how to pick another', async () => {
    const port = await freePort();
    const blocker: Server = createServer().listen(port, '127.0.0.1');
    cleanup.add('port blocker', () => new Promise((resolve) => blocker.close(resolve)));
    const result = await runStack({
      FRESHEN_STACK_DIR: privateStackDir(),
      FRESHEN_PG_PORT: String(port),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      `stack: port ${port} (for postgres) is already in use by another program. Stop it, or pick another port: FRESHEN_PG_PORT=<port> npm run stack:up`,
    );
  });
});
