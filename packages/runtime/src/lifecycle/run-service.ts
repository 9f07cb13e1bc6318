import { format } from 'node:util';
import { ConfigError, redactSecrets } from '@freshen/config';
import { isFreshenError } from '../errors/freshen-error.ts';
import type { Logger } from '../logger.ts';
import { SECOND } from '../time.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';

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
 * Signals that stop a service. SIGHUP drains like SIGTERM: configuration is read once at
 * start, so there is nothing to reload, and a hangup (a closed terminal, `kill -HUP` out of
 * habit) must not kill the process mid-batch with no line in the log, which is what Node's
 * default does. Under a supervisor the restart that follows is the reload.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * The one place that handles signals, for a service's entry point: the first SIGTERM, SIGINT
 * or SIGHUP drains gracefully under a deadline, a second one forces exit. Every line the
 * process writes is pino JSON on stdout: a start-up failure is one line (one per problem for
 * configuration), without a stack unless it is a bug, and the exit code says what kind of
 * failure it was (EXIT_CODES: 78 configuration, 69 a dependency unreachable, 77 a missing
 * privilege, 1 anything else). Uncaught errors and Node's warnings are logged as JSON too.
 */
export async function runService(
  start: () => Promise<RunningService>,
  options: RunServiceOptions,
): Promise<never> {
  const { logger, drainTimeoutMs = 30 * SECOND } = options;
  logProcessEvents(logger);
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
      process.exit(EXIT_CODES.FORCED);
    }
    stopping = true;
    logger.info(
      { signal, drainTimeoutMs },
      signal === 'SIGHUP'
        ? 'SIGHUP: draining and stopping (settings are read once at start; there is no reload); send a signal again to force exit'
        : 'draining; send the signal again to force exit',
    );
    const deadline = setTimeout(() => {
      logger.error({ drainTimeoutMs }, 'drain did not finish in time; forcing exit');
      process.exit(EXIT_CODES.FAILED);
    }, drainTimeoutMs);
    deadline.unref();
    service.close().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(EXIT_CODES.OK);
      },
      (error: unknown) => {
        logger.error(errorFields(error), 'error while stopping');
        process.exit(EXIT_CODES.FAILED);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  try {
    await service.done;
    if (!stopping) {
      logger.info('service finished');
      process.exit(EXIT_CODES.OK);
    }
  } catch (error) {
    const exitCode = exitCodeFor(error);
    logger.fatal({ ...errorFields(error), exitCode }, redactSecrets((error as Error).message));
    await service.close().catch(() => {});
    process.exit(exitCode);
  }
  return new Promise<never>(() => {});
}

function exitOnStartFailure(error: unknown, logger: Logger): never {
  const exitCode = exitCodeFor(error);
  if (error instanceof ConfigError) {
    for (const problem of error.problems) {
      logger.fatal({ code: error.code, exitCode }, redactSecrets(problem));
    }
  } else {
    const message = redactSecrets(firstLine((error as Error | undefined)?.message));
    logger.fatal({ ...errorFields(error), exitCode }, `failed to start: ${message}`);
  }
  process.exit(exitCode);
}

/**
 * What a log line says about an error. Freshen's own errors are expected failures whose
 * message is the instruction: code only, no stack. Anything else is a bug: its stack, on the
 * same JSON line. Both redacted, since a library's message may quote a connection string.
 */
function errorFields(error: unknown): Record<string, unknown> {
  if (isFreshenError(error) || error instanceof ConfigError) return { code: error.code };
  if (!(error instanceof Error)) return { err: { message: redactSecrets(String(error)) } };
  return {
    err: {
      type: error.name,
      message: redactSecrets(error.message),
      stack: redactSecrets(error.stack ?? ''),
    },
  };
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0]!;
}

let processEventsLogged = false;

/**
 * Keeps stderr free of plain text: Node prints uncaught errors and warnings there itself.
 * Uncaught errors become one fatal JSON line and the exit code they stand for; warnings
 * (deprecations, MaxListenersExceeded...) become warn lines.
 */
function logProcessEvents(logger: Logger): void {
  if (processEventsLogged) return;
  processEventsLogged = true;
  const die = (kind: string) => (error: unknown) => {
    const exitCode = exitCodeFor(error);
    logger.fatal(
      { ...errorFields(error), exitCode },
      `${kind}: ${redactSecrets(firstLine((error as Error | undefined)?.message))}`,
    );
    process.exit(exitCode);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled rejection'));
  // Node's default listener prints the warning as text on stderr; this one logs JSON instead.
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    logger.warn(
      { warning: { name: warning.name, code: (warning as { code?: string }).code } },
      warning.message,
    ),
  );
  // Libraries that print with console (ioredis's "[WARN] ... a password was supplied", say)
  // would put plain text on stdout or stderr: route it through the logger, one JSON line each.
  const viaLogger =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      logger[level]({ source: 'console' }, redactSecrets(format(...args)));
  console.log = viaLogger('info');
  console.info = viaLogger('info');
  console.warn = viaLogger('warn');
  console.error = viaLogger('error');
}
