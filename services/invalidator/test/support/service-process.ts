import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CloseList } from '@freshen/runtime';
import { stackSettings, waitFor } from '@freshen/test-kit';

const root = path.resolve(__dirname, '../..');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs src/main.ts as a process with the test rules module; killed by `cleanup` if still running. */
export async function startServiceProcess(
  cleanup: CloseList,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: stackSettings().kafkaBrokers.join(','),
      REDIS_URL: stackSettings().redisUrl,
      REDIS_MODE: 'standalone',
      RULES_MODULE: './test/support/rules-module.ts',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>(
    (resolve) => child.once('close', (code) => resolve(code)), // after all output was read
  );
  cleanup.add('service process', () => child.exitCode === null && child.kill('SIGKILL'));
  await waitFor(() => output.includes('invalidator started'), {
    description: 'service start',
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  return { child, output: () => output, exited };
}

/**
 * Runs src/main.ts with exactly `env` (plus PATH and the stack's brokers unless given) until
 * it exits by itself, for start-up failures. Resolves with the exit code and both streams.
 */
export async function runServiceToExit(
  cleanup: CloseList,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: stackSettings().kafkaBrokers.join(','),
      REDIS_URL: stackSettings().redisUrl,
      METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.add('service process', () => child.exitCode === null && child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': only then has all of the output been read.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}
