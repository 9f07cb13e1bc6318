import { FreshenError } from '@freshen/runtime';
import { OPS, WIRE_FORMAT_VERSION, type ChangeEvent } from './change-event.ts';
import { isLsn } from './lsn.ts';

export function encodeEvent(event: ChangeEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

function undecodable(reason: string, cause?: unknown): FreshenError {
  return new FreshenError('EVENT_UNDECODABLE', `undecodable change event: ${reason}`, { cause });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses and checks a Kafka message value. Throws FreshenError EVENT_UNDECODABLE naming what
 * is wrong (bad JSON, unknown format version, missing or mistyped field) so the invalidator
 * can dead-letter it with a useful reason.
 */
export function decodeEvent(value: Buffer | string | null): ChangeEvent {
  if (value === null) throw undecodable('message has no value (tombstone)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    throw undecodable('value is not JSON', error);
  }
  if (!isObject(parsed)) throw undecodable('value is not a JSON object');
  if (parsed.v !== WIRE_FORMAT_VERSION) {
    throw undecodable(
      `unknown format version ${JSON.stringify(parsed.v)} (this build reads v${WIRE_FORMAT_VERSION})`,
    );
  }
  const problems: string[] = [];
  if (!OPS.includes(parsed.op as never)) problems.push(`op must be one of ${OPS.join(', ')}`);
  for (const field of ['schema', 'table'] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '')
      problems.push(`${field} must be a non-empty string`);
  }
  if (!isObject(parsed.key)) problems.push('key must be an object');
  for (const field of ['new', 'old'] as const) {
    if (parsed[field] !== null && !isObject(parsed[field]))
      problems.push(`${field} must be an object or null`);
  }
  if (
    !Array.isArray(parsed.unavailable) ||
    !parsed.unavailable.every((c) => typeof c === 'string')
  ) {
    problems.push('unavailable must be an array of column names');
  }
  if (typeof parsed.lsn !== 'string' || !isLsn(parsed.lsn))
    problems.push('lsn must be an LSN string X/Y');
  for (const field of ['xid', 'seq', 'ts'] as const) {
    if (!Number.isSafeInteger(parsed[field])) problems.push(`${field} must be an integer`);
  }
  if ((parsed.op === 'insert' || parsed.op === 'update') && !isObject(parsed.new)) {
    problems.push(`${String(parsed.op)} must carry a new row`);
  }
  if (problems.length > 0) throw undecodable(problems.join('; '));
  return parsed as unknown as ChangeEvent;
}
