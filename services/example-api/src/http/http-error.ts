/** An error that becomes an HTTP response with this status and a JSON `{ error }` body. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** A path or body id: a positive decimal integer, kept as text (bigint columns). */
export function parseId(raw: unknown, what: string): string {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^[1-9]\d{0,18}$/.test(text)) {
    throw new HttpError(400, `${what} must be a positive integer`);
  }
  return text;
}
