import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

/**
 * The base of every error Freshen raises on purpose. `message` reads like an instruction a
 * user can act on (what, where, and the fix); `code` is for programs; `retryable` comes from
 * the code table so callers decide retries from data.
 */
export class FreshenError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FreshenError';
    this.code = code;
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
  }
}

export function isFreshenError(error: unknown, code?: ErrorCode): error is FreshenError {
  return error instanceof FreshenError && (code === undefined || error.code === code);
}
