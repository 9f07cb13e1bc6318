import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * A pino JSON logger for one component. Never log row contents or secrets: row values stay
 * out of log calls entirely, and these paths are redacted in case one slips through.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: options.level ?? 'info',
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'connectionString',
        '*.connectionString',
        'row',
        '*.row',
        'new',
        'old',
      ],
      censor: '[redacted]',
    },
    ...options,
  });
}
