import { spawn, type ChildProcess } from 'node:child_process';
import type { CloseList } from '@freshen/runtime';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL): clients see connection errors, as in an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
}

async function ping(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * A Redis server of this test's own, on a free port, that a fault test may stop and restart
 * without touching the shared stack. Removed by `cleanup`.
 */
export async function startPrivateRedis(cleanup: CloseList): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const current = child;
    current.once('exit', () => {
      if (child === current) child = undefined;
    });
    await waitFor(() => ping(url), {
      description: `private redis on port ${port}`,
      timeoutMs: 10_000,
    });
  };
  const stop = async () => {
    const current = child;
    if (!current) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
    child = undefined;
  };

  await start();
  cleanup.add(`private redis :${port}`, stop);
  return { port, url, start, stop };
}
