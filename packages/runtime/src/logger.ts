import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * A pino JSON logger for one component. Never log row contents or secrets: row values stay
 * out of log calls entirely, and these paths are redacted in case one slips through.
 *
 * Lines go to stdout synchronously. pino's default asynchronous stream let a fatal line (which
 * pino flushes at once) overtake the line before it, and a service exits right after its last
 * lines; Freshen logs per batch and per incident, never per event, so the writes cost nothing
 * that matters.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino(
    {
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
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
