import { spawn } from 'node:child_process';
import { SECOND } from '@freshen/runtime';
import { parseMetrics, total } from './prom-text.ts';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly metricsPort: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
  /** The last part of stdout+stderr (pino JSON lines), for failure messages. */
  output(): string;
  /** The last part of stdout, and of stderr, each on its own (a service writes only JSON to stdout). */
  stdout(): string;
  stderr(): string;
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

/**
 * Runs one Freshen service (`node <main.ts>`) as a child process with the given environment:
 * the one spawner of the demo, the checkers, the benchmarks and every test that needs a real
 * process (to kill -9 it, or to see what it prints and how it exits).
 */
export function spawnService(options: {
  name: string;
  main: string;
  cwd: string;
  env: Record<string, string>;
  /** Port of its ops server (0: the service picks one, and metric/readiness cannot reach it). */
  metricsPort: number;
  /** Flags for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Arguments after `main` (`freshen reader`: main is the freshen executable, args ['reader']). */
  args?: string[];
  /** Start from this process's environment (default), or from PATH and `env` alone. */
  inheritEnv?: boolean;
  /** Called with each complete stdout line, as it arrives. */
  onLine?: (line: string) => void;
  /**
   * Own process group: a terminal's Ctrl-C then reaches only the parent, which stops the child
   * with one SIGTERM (the child would otherwise get SIGINT too, and the SIGTERM would count as
   * its second, forcing signal). Default false.
   */
  detached?: boolean;
}): ServiceProcess {
  const base = options.inheritEnv === false ? { PATH: process.env.PATH ?? '' } : process.env;
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.main, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      detached: options.detached ?? false,
      // METRICS_PORT from `env` wins, so a test can start a service with a bad one on purpose.
      env: { ...base, METRICS_PORT: String(options.metricsPort), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-KEPT_OUTPUT);
    stdout = (stdout + text).slice(-KEPT_OUTPUT);
    if (!options.onLine) return;
    partial += text;
    for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
      options.onLine(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT);
    stderr = (stderr + chunk.toString()).slice(-KEPT_OUTPUT);
  });
  // 'close', not 'exit': only then has all of the output been read.
  const exit = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  const ops = `http://127.0.0.1:${options.metricsPort}`;
  let stopping: Promise<number | null> | undefined;
  return {
    name: options.name,
    pid: child.pid!,
    metricsPort: options.metricsPort,
    exit,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    async readiness() {
      try {
        return (await (await fetch(`${ops}/readyz`)).json()) as {
          ok: boolean;
          details?: Record<string, unknown>;
        };
      } catch {
        return undefined;
      }
    },
    async metric(name) {
      const text = await (await fetch(`${ops}/metrics`)).text();
      return total(parseMetrics(text), name);
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
