import type { ChangeEvent, Row } from '@freshen/change-event';

export interface FittedEvent {
  event: ChangeEvent;
  /** The event's JSON text (what is published). */
  value: string;
  bytes: number;
  /** Whether columns were left out to make it fit. */
  reduced: boolean;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '');

/**
 * Makes an event fit in `maxBytes` of JSON by leaving out its largest non-key values, or
 * returns undefined when even the key columns alone are too large.
 *
 * A value left out of `new` is listed in `unavailable`, exactly as an unchanged TOAST value
 * that Postgres did not send: the invalidator then turns the row's refreshes into deletes and
 * the next read loads the whole row, so the cache stays correct. Values of `old` are dropped
 * only after every droppable value of `new` (rules mostly read `old` for the small columns
 * that form keys, and those are kept as long as possible). Key columns are always kept.
 */
export function fitEvent(
  event: ChangeEvent,
  maxBytes: number,
  text?: string,
): FittedEvent | undefined {
  const value = text ?? JSON.stringify(event);
  const bytes = Buffer.byteLength(value);
  if (bytes <= maxBytes) return { event, value, bytes, reduced: false };

  const keyColumns = new Set(Object.keys(event.key));
  const newRow: Row | null = event.new ? { ...event.new } : null;
  const oldRow: Row | null = event.old ? { ...event.old } : null;
  const unavailable = [...event.unavailable];
  const droppable = (row: Row | null) =>
    Object.keys(row ?? {})
      .filter((column) => !keyColumns.has(column))
      .map((column) => ({ column, size: jsonBytes(row![column]) + jsonBytes(column) }))
      .sort((a, b) => b.size - a.size);
  const candidates = [
    ...droppable(newRow).map((entry) => ({ ...entry, row: 'new' as const })),
    ...droppable(oldRow).map((entry) => ({ ...entry, row: 'old' as const })),
  ];

  let estimate = bytes;
  for (const candidate of candidates) {
    if (candidate.row === 'new') {
      delete newRow![candidate.column];
      if (!unavailable.includes(candidate.column)) unavailable.push(candidate.column);
    } else {
      delete oldRow![candidate.column];
    }
    estimate -= candidate.size;
    if (estimate > maxBytes) continue;
    const reduced: ChangeEvent = { ...event, new: newRow, old: oldRow, unavailable };
    const reducedValue = JSON.stringify(reduced);
    const reducedBytes = Buffer.byteLength(reducedValue);
    if (reducedBytes <= maxBytes)
      return { event: reduced, value: reducedValue, bytes: reducedBytes, reduced: true };
    estimate = reducedBytes;
  }
  return undefined;
}

/**
 * The event published instead of one that cannot be carried even with its key alone: a
 * truncate of its table, which makes the invalidator drop every key the table's rules
 * produce. Coarse, but always correct: nothing can stay stale.
 */
export function truncateInstead(event: ChangeEvent): ChangeEvent {
  return { ...event, op: 'truncate', key: {}, new: null, old: null, unavailable: [] };
}
