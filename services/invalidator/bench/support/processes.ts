import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../../..');

export interface ReaderProcess {
  child: ChildProcess;
  output: () => string;
  /** Wall-clock ms of the reader's "streaming" log line (the reader benchmark's start mark). */
  streamingAt: () => number | undefined;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<number | null>;
}

/** Starts services/cdc-reader/src/main.ts as a child process on the given slot. */
export function startReaderProcess(
  env: Record<string, string>,
  profileDir?: string,
): ReaderProcess {
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    'services/cdc-reader/src/main.ts',
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let streamingAt: number | undefined;
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    partial += chunk.toString();
    for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (streamingAt === undefined && line.includes('"msg":"streaming"')) {
        streamingAt = Date.parse((JSON.parse(line) as { time: string }).time);
      }
    }
  });
  child.stderr!.on(
    'data',
    (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)),
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => output,
    streamingAt: () => streamingAt,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs the paced writer (load-writer.ts) in its own process; resolves with its report. */
export async function runLoadWriter(args: {
  databaseUrl: string;
  table: string;
  rows: number;
  tps: number;
  seconds: number;
}) {
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, '../load-writer.ts'), JSON.stringify(args)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load writer exited ${code}`);
  return JSON.parse(stdout) as { committed: number; seconds: number; achievedTps: number };
}
