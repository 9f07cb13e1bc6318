import type { ChangeEvent } from '@freshen/change-event';

/** A change event with defaults for the fields a rule does not look at. */
export function changeEvent(
  fields: Partial<ChangeEvent> & Pick<ChangeEvent, 'op' | 'table'>,
): ChangeEvent {
  return {
    v: 1,
    schema: 'public',
    key: {},
    new: null,
    old: null,
    unavailable: [],
    lsn: '0/16B3748',
    xid: 1,
    seq: 0,
    ts: 0,
    ...fields,
  };
}
