/**
 * A short, secret-free description of an error for a not-ready reason: the system error code
 * (ECONNREFUSED, ETIMEDOUT...) or Kafka protocol type when there is one, else the first 200
 * characters of the message. Looks through `cause` chains.
 */
export function errorSummary(error: unknown): string {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, type } = current as { code?: unknown; type?: unknown };
    if (typeof type === 'string') return type;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const message = (error as Error | undefined)?.message ?? String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
