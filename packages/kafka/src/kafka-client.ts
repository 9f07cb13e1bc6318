import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '@freshen/runtime';
import { kafkajsLogLevel } from './kafkajs-log-level.ts';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Milliseconds to wait for a TCP connection. Default 3000. */
  connectionTimeoutMs?: number;
  /**
   * kafkajs's retry of each request (connect, metadata, produce, commit). Default: kafkajs's
   * own (5 retries, delays growing to 30 s). A service that rides out broker restarts itself
   * sets a low cap, so that it notices a returning broker within about a second instead of
   * sleeping through it.
   */
  retry?: { retries?: number; initialRetryTimeMs?: number; maxRetryTimeMs?: number };
  /**
   * Level for kafkajs's own ERROR lines. Default 'error'. kafkajs logs every refused connection
   * attempt, every crash-and-restart and routine rebalance replies at ERROR; a service whose
   * own health lines say at error level what is wrong (and when it recovers) sets 'warn', so
   * that an outage is one error line and not hundreds.
   */
  libraryErrorsAs?: 'error' | 'warn';
}

/** Routes kafkajs's own log lines into our pino logger as structured JSON. */
function pinoLogCreator(logger: Logger, errorsAs: 'error' | 'warn'): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const mapped = kafkajsLogLevel(level, log);
      logger[mapped === 'error' ? errorsAs : mapped]({ kafkajs: rest }, message);
    };
}

let timeoutWarningFiltered = false;

/**
 * kafkajs 2.2 computes a negative setTimeout delay in its request queue; Node 24 warns about
 * it (TimeoutNegativeWarning) on every request burst, although the behaviour (fire at once)
 * is what kafkajs intends. Drop exactly that warning so real warnings stay visible.
 */
function filterKafkajsTimeoutWarning(): void {
  if (timeoutWarningFiltered) return;
  timeoutWarningFiltered = true;
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name =
      typeof warning === 'string'
        ? (rest[0] as { type?: string } | string | undefined)
        : warning.name;
    const type = typeof name === 'string' ? name : name?.type;
    if (type === 'TimeoutNegativeWarning') return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

export function createKafkaClient(options: KafkaClientOptions): Kafka {
  filterKafkajsTimeoutWarning();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    ...(options.retry && {
      retry: {
        retries: options.retry.retries,
        initialRetryTime: options.retry.initialRetryTimeMs,
        maxRetryTime: options.retry.maxRetryTimeMs,
      },
    }),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(
      options.logger.child({ component: 'kafkajs' }),
      options.libraryErrorsAs ?? 'error',
    ),
  });
}
