import { encodeEvent, formatLsn, messageKey, type ChangeEvent } from '@freshen/change-event';
import type { TestMessage } from '@freshen/test-kit';

let nextLsn = 0x1000n;

/** A change event of table `<schema>.items`, with a fresh increasing LSN unless one is given. */
export function itemEvent(
  schema: string,
  id: number | string,
  row: Record<string, unknown> | null,
  overrides: Partial<ChangeEvent> = {},
): ChangeEvent {
  nextLsn += 0x100n;
  const op = overrides.op ?? (row ? 'update' : 'delete');
  return {
    v: 1,
    op,
    schema,
    table: 'items',
    key: { id },
    new: op === 'delete' || op === 'truncate' ? null : { id, ...row },
    old: op === 'delete' ? { id } : null,
    unavailable: [],
    lsn: formatLsn(nextLsn),
    xid: 1000,
    seq: 0,
    ts: Date.now(),
    ...overrides,
  };
}

export function toMessage(event: ChangeEvent): TestMessage {
  return { key: messageKey(event), value: encodeEvent(event) };
}
