import path from 'node:path';
import { spawnService } from '@freshen/harness';
import { freePort, type CloseList } from '@freshen/runtime';
import { waitFor } from '@freshen/test-kit';

export interface ReaderProcess {
  readonly pid: number;
  readonly port: number;
  /** Sum of a metric's samples in /metrics (0 when absent). */
  metric(name: string): Promise<number>;
  /** The role /readyz reports ('streaming', 'standby', ...) or 'down'. */
  role(): Promise<string>;
  kill(signal: NodeJS.Signals): Promise<void>;
  readonly exit: Promise<number | null>;
  /** stdout+stderr so far (pino JSON lines), for failure messages. */
  output(): string;
}

const ROOT = path.resolve(__dirname, '../../../..');

/** Runs cdc-reader as its own process (as in production), so a test can kill -9 it. */
export async function spawnReader(
  cleanup: CloseList,
  env: Record<string, string>,
): Promise<ReaderProcess> {
  const port = await freePort();
  const reader = spawnService({
    name: 'cdc-reader',
    main: path.join(ROOT, 'services/cdc-reader/src/main.ts'),
    cwd: ROOT,
    env: { ...env, METRICS_PORT: String(port), LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    metricsPort: port,
  });
  const kill = async (signal: NodeJS.Signals) => {
    reader.kill(signal);
    await reader.exit;
  };
  cleanup.add(`reader process ${reader.pid}`, () => kill('SIGKILL'));
  return {
    pid: reader.pid,
    port,
    exit: reader.exit,
    kill,
    output: () => reader.output(),
    metric: (name) => reader.metric(name),
    async role() {
      const report = await reader.readiness();
      if (report === undefined) return 'down';
      return (report.details?.role as string | undefined) ?? 'unknown';
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
