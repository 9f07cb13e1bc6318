import { freePort, type CloseList } from '@freshen/runtime';
import { Redis } from 'ioredis';
import { restartableProcess } from './restartable-process.ts';

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
  const server = restartableProcess({
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    description: `private redis on port ${port}`,
    ready: () => ping(url),
    readyTimeoutMs: 10_000,
  });
  await server.start();
  cleanup.add(`private redis :${port}`, server.stop);
  return { port, url, start: server.start, stop: server.stop };
}
