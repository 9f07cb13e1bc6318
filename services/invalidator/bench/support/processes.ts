import { spawn } from 'node:child_process';
import { spawnService } from '@freshen/harness';
import { processCpuSeconds, serviceNodeFlags } from '@freshen/test-kit';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../../..');

export interface ReaderProcess {
  /** The exit code once it has exited, else undefined. */
  exitCode(): number | null | undefined;
  output: () => string;
  /** Wall-clock ms of the reader's "streaming" log line (the reader benchmark's start mark). */
  streamingAt: () => number | undefined;
  /** CPU-seconds the reader has used since its "streaming" line (start-up not counted). */
  streamingCpuSeconds: () => number | undefined;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<number | null>;
}

/** Starts services/cdc-reader/src/main.ts as a child process on the given slot. */
export function startReaderProcess(
  env: Record<string, string>,
  profileDir?: string,
): ReaderProcess {
  let streamingAt: number | undefined;
  let cpuAtStreaming: number | undefined;
  let exitCode: number | null | undefined;
  const reader = spawnService({
    name: 'cdc-reader',
    main: 'services/cdc-reader/src/main.ts',
    cwd: root,
    env: { LOG_LEVEL: 'info', ...env },
    metricsPort: 0,
    // As `npm start` runs it: the same heap bounds as in production.
    nodeArgs: [
      ...serviceNodeFlags(path.join(root, 'services/cdc-reader')),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
    onLine(line) {
      if (streamingAt === undefined && line.includes('"msg":"streaming"')) {
        streamingAt = Date.parse((JSON.parse(line) as { time: string }).time);
        cpuAtStreaming = processCpuSeconds(reader.pid);
      }
    },
  });
  void reader.exit.then((code) => (exitCode = code));
  return {
    exitCode: () => exitCode,
    output: () => reader.output(),
    streamingAt: () => streamingAt,
    streamingCpuSeconds: () => {
      const now = processCpuSeconds(reader.pid);
      return now === undefined || cpuAtStreaming === undefined ? undefined : now - cpuAtStreaming;
    },
    stop: () => reader.stop(),
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
