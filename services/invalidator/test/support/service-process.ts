import path from 'node:path';
import { spawnService } from '@freshen/harness';
import type { CloseList } from '@freshen/runtime';
import { stackSettings, waitFor } from '@freshen/test-kit';

const SERVICE_ROOT = path.resolve(__dirname, '../..');

export interface ServiceProcess {
  kill(signal: NodeJS.Signals): void;
  output(): string;
  exited: Promise<number | null>;
}

/** The invalidator's main.ts as a process (killed by `cleanup` if still running). */
function spawnInvalidator(cleanup: CloseList, env: Record<string, string>, inheritEnv: boolean) {
  const service = spawnService({
    name: 'invalidator',
    main: path.join(SERVICE_ROOT, 'src/main.ts'),
    cwd: SERVICE_ROOT,
    env: {
      KAFKA_BROKERS: stackSettings().kafkaBrokers.join(','),
      REDIS_URL: stackSettings().redisUrl,
      ...env,
    },
    metricsPort: Number(env.METRICS_PORT ?? 0) || 0,
    inheritEnv,
  });
  cleanup.add('service process', () => service.kill('SIGKILL'));
  return service;
}

/** Runs src/main.ts with the test rules module, without waiting for it to start. */
export function spawnServiceProcess(
  cleanup: CloseList,
  env: Record<string, string>,
): ServiceProcess {
  const service = spawnInvalidator(
    cleanup,
    {
      REDIS_MODE: 'standalone',
      RULES_MODULE: './test/support/rules-module.ts',
      LOG_LEVEL: 'info',
      ...env,
    },
    true,
  );
  return {
    kill: (signal) => service.kill(signal),
    output: () => service.output(),
    exited: service.exit,
  };
}

/** Runs src/main.ts with the test rules module until it says it started. */
export async function startServiceProcess(
  cleanup: CloseList,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const service = spawnServiceProcess(cleanup, env);
  await waitFor(() => service.output().includes('invalidator started'), {
    description: 'service start',
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${service.output()}`);
  });
  return service;
}

/**
 * Runs src/main.ts with exactly `env` (plus PATH and the stack's brokers unless given) until
 * it exits by itself, for start-up failures. Resolves with the exit code and both streams.
 */
export async function runServiceToExit(
  cleanup: CloseList,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const service = spawnInvalidator(cleanup, env, false);
  const code = await service.exit;
  return { code, stdout: service.stdout(), stderr: service.stderr() };
}
