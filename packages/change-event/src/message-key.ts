import type { ChangeEvent } from './change-event.ts';

/**
 * The Kafka message key: `<schema>.<table>:<primary key>`, so every change of one row lands in
 * one partition, in commit order. A single-column key is its value; a composite key is the
 * JSON array of its values in key-column order (unambiguous, deterministic).
 */
export function messageKey(event: Pick<ChangeEvent, 'schema' | 'table' | 'key'>): string {
  const values = Object.values(event.key);
  const id = values.length === 1 ? String(values[0]) : JSON.stringify(values);
  return `${event.schema}.${event.table}:${id}`;
}
