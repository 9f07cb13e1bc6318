import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

/**
 * The base of every error Freshen raises on purpose. `message` reads like an instruction a
 * user can act on (what, where, and the fix); `code` is for programs; `retryable` comes from
 * the code table so callers decide retries from data.
 */
export class FreshenError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /**
   * Text that may hold row contents (a rule's own exception message, say): kept for the
   * dead-letter topic, which holds the row anyway, and never logged. Not enumerable, so a
   * logger's error serializer does not pick it up.
   */
  declare readonly detail?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean; detail?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FreshenError';
    this.code = code;
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
    if (options?.detail !== undefined) {
      Object.defineProperty(this, 'detail', { value: options.detail, enumerable: false });
    }
  }
}

export function isFreshenError(error: unknown, code?: ErrorCode): error is FreshenError {
  return error instanceof FreshenError && (code === undefined || error.code === code);
}
