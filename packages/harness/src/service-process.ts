import { spawn } from 'node:child_process';
import { SECOND } from '@freshen/runtime';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly metricsPort: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
  /** The last part of stdout+stderr (pino JSON lines), for failure messages. */
  output(): string;
  /** The parsed /readyz report, or undefined while the server does not answer. */
  readiness(): Promise<{ ok: boolean; details?: Record<string, unknown> } | undefined>;
  /** Sum of every sample of a metric in /metrics (all label sets), 0 when absent. */
  metric(name: string): Promise<number>;
  /** SIGTERM, wait up to `graceMs` for a clean exit, then SIGKILL. Idempotent. */
  stop(graceMs?: number): Promise<number | null>;
  /** Sends `signal` at once (a crash: SIGKILL); `exit` says when it is gone. */
  kill(signal: NodeJS.Signals): void;
}

/** Output kept per process: enough for the last errors, bounded for long runs. */
const KEPT_OUTPUT = 64 * 1024;

/** Runs one Freshen service (`node <main.ts>`) as a child process with the given environment. */
export function spawnService(options: {
  name: string;
  main: string;
  cwd: string;
  env: Record<string, string>;
  metricsPort: number;
  /**
   * Own process group: a terminal's Ctrl-C then reaches only the parent, which stops the child
   * with one SIGTERM (the child would otherwise get SIGINT too, and the SIGTERM would count as
   * its second, forcing signal). Default false.
   */
  detached?: boolean;
}): ServiceProcess {
  const child = spawn(process.execPath, [options.main], {
    cwd: options.cwd,
    detached: options.detached ?? false,
    env: { ...process.env, ...options.env, METRICS_PORT: String(options.metricsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${options.metricsPort}`;
  let stopping: Promise<number | null> | undefined;
  return {
    name: options.name,
    pid: child.pid!,
    metricsPort: options.metricsPort,
    exit,
    output: () => output,
    async readiness() {
      try {
        return (await (await fetch(`${base}/readyz`)).json()) as {
          ok: boolean;
          details?: Record<string, unknown>;
        };
      } catch {
        return undefined;
      }
    },
    async metric(name) {
      const text = await (await fetch(`${base}/metrics`)).text();
      return sumMetric(text, name);
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop(graceMs = 15 * SECOND) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return exit;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          return await exit;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}

/** Sum of the samples of `name` (with or without labels) in Prometheus text. */
export function sumMetric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
