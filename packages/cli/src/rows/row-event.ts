import { WIRE_FORMAT_VERSION, type ChangeEvent, type Row } from '@freshen/change-event';

/** The operations a row can be explained or backfilled as (truncate has no row). */
export type RowOp = 'insert' | 'update' | 'delete';

/**
 * The change event the cdc-reader would send for `op` on this row under REPLICA IDENTITY
 * DEFAULT (an update sends no old row unless its key changed; a delete sends the old key),
 * for evaluating rules without a change. LSN 0/0: it is never applied as a refresh.
 */
export function rowEvent(
  schema: string,
  table: string,
  op: RowOp,
  key: Row,
  row: Row,
): ChangeEvent {
  return {
    v: WIRE_FORMAT_VERSION,
    op,
    schema,
    table,
    key,
    new: op === 'delete' ? null : row,
    old: op === 'delete' ? key : null,
    unavailable: [],
    lsn: '0/0',
    xid: 0,
    seq: 0,
    ts: Date.now(),
  };
}
