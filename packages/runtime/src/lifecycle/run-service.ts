import { ConfigError } from '@freshen/config';
import type { Logger } from '../logger.ts';
import { SECOND } from '../time.ts';

export interface RunningService {
  /** Drains and closes; resolves when done. Must be idempotent. */
  close(): Promise<void>;
  /** Resolves or rejects when the service stops on its own (fatal error). */
  readonly done: Promise<void>;
}

export interface RunServiceOptions {
  logger: Logger;
  /** How long a graceful drain may take before the process is forced down. Default 30 s. */
  drainTimeoutMs?: number;
}

/**
 * The one place that handles signals, for a service's entry point: the first SIGTERM/SIGINT
 * drains gracefully under a deadline, a second one forces exit. Configuration errors print
 * one line per problem and exit 78 (EX_CONFIG) without a stack trace.
 */
export async function runService(
  start: () => Promise<RunningService>,
  options: RunServiceOptions,
): Promise<never> {
  const { logger, drainTimeoutMs = 30 * SECOND } = options;
  let service: RunningService;
  try {
    service = await start();
  } catch (error) {
    return exitOnStartFailure(error, logger);
  }

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: forcing exit without draining');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal, drainTimeoutMs }, 'draining; send the signal again to force exit');
    const deadline = setTimeout(() => {
      logger.error({ drainTimeoutMs }, 'drain did not finish in time; forcing exit');
      process.exit(1);
    }, drainTimeoutMs);
    deadline.unref();
    service.close().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await service.done;
    if (!stopping) {
      logger.info('service finished');
      process.exit(0);
    }
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    await service.close().catch(() => {});
    process.exit(1);
  }
  return new Promise<never>(() => {});
}

function exitOnStartFailure(error: unknown, logger: Logger): never {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`config: ${problem}\n`);
    process.exit(78);
  }
  logger.fatal({ err: error }, `failed to start: ${(error as Error).message}`);
  process.exit(1);
}
