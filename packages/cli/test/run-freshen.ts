import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findRepoRoot } from '@freshen/harness';

const root = findRepoRoot();
/** The project's Node (24: strips types); bare `node` may be older. */
export const projectNode = path.join(root, 'node_modules/.bin/node');
export const freshenBin = path.join(root, 'packages/cli/src/bin/freshen.ts');

export interface FreshenRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `freshen <args>` to its end with exactly `env` (plus PATH). */
export function runFreshen(args: string[], env: Record<string, string>): Promise<FreshenRun> {
  return new Promise((resolve) => {
    execFile(
      projectNode,
      [freshenBin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts `freshen <args>` and hands back the process (for tail, and interrupting a backfill). */
export function startFreshen(
  args: string[],
  env: Record<string, string>,
): {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  done: Promise<FreshenRun>;
} {
  const child = spawn(projectNode, [freshenBin, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: root,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<FreshenRun>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
  );
  return { child, output: () => ({ stdout, stderr }), done };
}

/** Runs the produce fixture: messages into `topic` with @platformatic/kafka. */
export async function produce(
  brokers: string[],
  topic: string,
  messages: { key: string | null; value: string; headers: Record<string, string> }[],
): Promise<void> {
  const child = spawn(
    projectNode,
    [path.join(__dirname, 'fixtures/produce.ts'), brokers.join(','), topic],
    {
      cwd: root,
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  );
  child.stdin.end(JSON.stringify(messages));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`produce fixture exited ${code}`);
}
