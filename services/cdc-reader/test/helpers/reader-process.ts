import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CloseList } from '@freshen/runtime';
import { freePort, waitFor } from '@freshen/test-kit';

export interface ReaderProcess {
  readonly pid: number;
  readonly port: number;
  /** Value of an unlabelled metric from /metrics (0 when absent). */
  metric(name: string): Promise<number>;
  /** The role /readyz reports ('streaming', 'standby', ...) or 'down'. */
  role(): Promise<string>;
  kill(signal: NodeJS.Signals): Promise<void>;
  readonly exit: Promise<number | null>;
  /** stdout+stderr so far (pino JSON lines), for failure messages. */
  output(): string;
}

const MAIN = path.resolve(__dirname, '../../src/main.ts');

/** Runs cdc-reader as its own process (as in production), so a test can kill -9 it. */
export async function spawnReader(
  cleanup: CloseList,
  env: Record<string, string>,
): Promise<ReaderProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: path.resolve(__dirname, '../../../..'),
    env: { ...process.env, ...env, METRICS_PORT: String(port), LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close' comes after 'exit' once all output has been read, so output() is complete then.
  const exit = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exit;
  };
  cleanup.add(`reader process ${child.pid}`, () => kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    port,
    exit,
    kill,
    output: () => output,
    async metric(name) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(' ')[1]) : 0;
    },
    async role() {
      try {
        const report = (await (await fetch(`${base}/readyz`)).json()) as {
          details?: { role?: string };
        };
        return report.details?.role ?? 'unknown';
      } catch {
        return 'down';
      }
    },
  };
}

export async function waitForRole(
  reader: ReaderProcess,
  role: string,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(async () => (await reader.role()) === role, {
    timeoutMs,
    description: `reader ${reader.pid} to be ${role} (output: ${reader.output().slice(-2000)})`,
  });
}
