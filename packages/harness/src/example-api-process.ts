import path from 'node:path';
import { notYet, SECOND, waitFor } from '@freshen/runtime';
import { findRepoRoot } from './repo-root.ts';
import { spawnService, type ServiceProcess } from './service-process.ts';

export interface ExampleApiSettings {
  databaseUrl: string;
  redisUrl: string;
  /** Schema of the example tables, and the key prefix the invalidator's rules use. */
  schema: string;
  keyPrefix: string;
  /** HTTP port of the API. */
  port: number;
  metricsPort: number;
  /** Own process group (see spawnService). Default false. */
  detached?: boolean;
  /** The API's near cache (NEAR_CACHE); the demo's dashboard shows its hit rate. Default on. */
  nearCache?: boolean;
  /** Process name in errors and logs. Default 'example-api'. */
  name?: string;
}

/**
 * Runs services/example-api as a child process against standalone Redis and waits until its
 * /readyz answers 200 (or throws with its last output): for the demo and tests that read
 * through the API, or need its cache metrics.
 */
export async function startExampleApiProcess(
  settings: ExampleApiSettings,
): Promise<ServiceProcess> {
  const root = findRepoRoot();
  const api = spawnService({
    name: settings.name ?? 'example-api',
    main: path.join(root, 'services/example-api/src/main.ts'),
    cwd: root,
    detached: settings.detached ?? false,
    metricsPort: settings.metricsPort,
    env: {
      DATABASE_URL: settings.databaseUrl,
      REDIS_URL: settings.redisUrl,
      REDIS_MODE: 'standalone',
      PG_SCHEMA: settings.schema,
      KEY_PREFIX: settings.keyPrefix,
      NEAR_CACHE: String(settings.nearCache ?? true),
      PORT: String(settings.port),
      LOG_LEVEL: 'warn',
    },
  });
  // Whichever comes first: ready, or the process gone (its output says why, at once).
  const exited = api.exit.then((code) => ({ code }));
  const ready = waitFor(
    async () =>
      (await api.readiness())?.ok ? true : notYet(api.output().slice(-500) || 'not answering'),
    { timeoutMs: 30 * SECOND, description: 'example-api to be ready' },
  );
  const first = await Promise.race([ready, exited]).catch(async (error: unknown) => {
    await api.stop();
    throw error;
  });
  if (first !== true) {
    ready.catch(() => {}); // it times out later; nobody waits for it any more
    throw new Error(
      `example-api exited (code ${first.code}) before it was ready: ${api.output().slice(-3000)}`,
    );
  }
  return api;
}
