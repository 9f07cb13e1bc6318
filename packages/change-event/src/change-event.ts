/**
 * The change event, wire format version 1: one Kafka message per changed row.
 * See docs/architecture.md, "The change event". Column values keep pgoutput's text form where
 * JavaScript would lose precision (int8, numeric stay strings).
 */
export const WIRE_FORMAT_VERSION = 1;

export const OPS = ['insert', 'update', 'delete', 'truncate'] as const;
export type Op = (typeof OPS)[number];

/** Column name → value, as decoded from pgoutput. */
export type Row = Record<string, unknown>;

export interface ChangeEvent {
  /** Wire format version; always 1 for this type. */
  v: typeof WIRE_FORMAT_VERSION;
  op: Op;
  schema: string;
  table: string;
  /** Primary-key (or replica-identity) columns → values. Empty for truncate. */
  key: Row;
  /** New row for insert/update; null for delete/truncate. */
  new: Row | null;
  /** Old row or old key for update/delete, as much as REPLICA IDENTITY sends; null if none was sent. */
  old: Row | null;
  /**
   * Columns of `new` whose value Postgres did not send (unchanged TOAST). They are absent
   * from `new`, never reported as null.
   */
  unavailable: string[];
  /** Commit LSN of the transaction, `X/Y` hex; orders versions of a row. */
  lsn: string;
  /** Transaction id. */
  xid: number;
  /** Position of this change within its transaction, from 0. */
  seq: number;
  /** Commit timestamp, ms since the Unix epoch. */
  ts: number;
}
