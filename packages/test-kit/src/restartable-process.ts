import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '@freshen/runtime';

export interface RestartableProcess {
  /** Spawns the process (if not running) and waits until `ready` says so. */
  start(): Promise<void>;
  /** Kills it with SIGKILL, as an outage would, and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * A server process a fault test can kill and start again with the same command: the
 * lifecycle shared by the private Kafka and Redis instances.
 */
export function restartableProcess(options: {
  command: string;
  args: string[];
  description: string;
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
}): RestartableProcess {
  let child: ChildProcess | undefined;
  return {
    async start() {
      if (child) return;
      const current = spawn(options.command, options.args, { stdio: 'ignore' });
      child = current;
      current.once('exit', () => {
        if (child === current) child = undefined;
      });
      await waitFor(options.ready, {
        description: options.description,
        timeoutMs: options.readyTimeoutMs,
      });
    },
    async stop() {
      const current = child;
      if (!current) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
      child = undefined;
    },
  };
}
