import {
  formatLsn,
  parseLsn,
  WIRE_FORMAT_VERSION,
  type ChangeEvent,
  type Op,
  type Row,
} from '@freshen/change-event';
import { FreshenError, type Logger } from '@freshen/runtime';
import type { Pgoutput } from 'pg-logical-replication';

/** What one pgoutput message means for the pipeline. */
export type Decoded =
  | { kind: 'begin'; xid: number }
  | { kind: 'commit'; endLsn: bigint }
  | { kind: 'events'; events: ChangeEvent[] }
  | { kind: 'none' };

export interface ChangeDecoderOptions {
  logger: Logger;
  /**
   * Primary-key columns of a relation that needsPrimaryKeyLookup (loaded before its relation
   * message is decoded). Undefined when the table has no primary key.
   */
  primaryKeyOf(relationOid: number): readonly string[] | undefined;
}

const NONE: Decoded = { kind: 'none' };

/**
 * pg-logical-replication prints LSNs as two zero-padded 8-digit hex halves; reading that form
 * directly is cheaper than the general parser (this runs twice per transaction).
 */
function lsnValue(text: string): bigint {
  return text.length === 17 ? BigInt(`0x${text.slice(0, 8)}${text.slice(9)}`) : parseLsn(text);
}

/** The wire form `X/Y` (no padding, upper case) of a padded LSN. */
function canonicalLsn(text: string): string {
  return text.length === 17
    ? `${parseInt(text.slice(0, 8), 16).toString(16).toUpperCase()}/${parseInt(text.slice(9), 16).toString(16).toUpperCase()}`
    : formatLsn(parseLsn(text));
}

/** Microseconds since the Unix epoch (pg-logical-replication already added the Postgres epoch) → ms. */
const toMs = (micros: bigint): number => Number(micros / 1000n);

/**
 * Turns pgoutput messages (parsed by pg-logical-replication) into change events in wire
 * format v1: one event per row, stamped with its transaction's commit LSN, xid, position and
 * commit timestamp. Stateful: it follows the current transaction and each relation's columns.
 */
export class ChangeDecoder {
  private readonly options: ChangeDecoderOptions;
  private readonly keyColumns = new Map<number, readonly string[]>();
  private readonly warned = new Set<number>();
  private xid = 0;
  private lsn = '0/0';
  private ts = 0;
  private seq = 0;

  constructor(options: ChangeDecoderOptions) {
    this.options = options;
  }

  decode(message: Pgoutput.Message): Decoded {
    switch (message.tag) {
      case 'begin':
        this.xid = message.xid;
        this.lsn = canonicalLsn(message.commitLsn!);
        this.ts = toMs(message.commitTime as bigint);
        this.seq = 0;
        return { kind: 'begin', xid: message.xid };
      case 'commit':
        return { kind: 'commit', endLsn: lsnValue(message.commitEndLsn!) };
      case 'relation':
        this.onRelation(message);
        return NONE;
      case 'insert':
        return this.row('insert', message.relation, message.new, null);
      case 'update':
        return this.row('update', message.relation, message.new, message.old ?? message.key);
      case 'delete':
        return this.row('delete', message.relation, null, message.old ?? message.key);
      case 'truncate':
        return {
          kind: 'events',
          events: message.relations.map((relation) => this.truncate(relation)),
        };
      case 'type':
      case 'origin':
      case 'message':
        return NONE;
      default:
        throw unknownMessage((message as { tag?: unknown }).tag);
    }
  }

  /**
   * A relation message comes before a table's first change in a session and again after its
   * definition changes (ALTER TABLE), so replacing the key here follows schema changes. (The
   * column parsers were installed when the message was parsed: see replication-stream.ts.)
   */
  private onRelation(relation: Pgoutput.MessageRelation): void {
    const lookedUp = needsPrimaryKeyLookup(relation);
    const primaryKey = lookedUp ? this.options.primaryKeyOf(relation.relationOid) : undefined;
    this.keyColumns.set(relation.relationOid, primaryKey ?? relation.keyColumns);
    const problem = lookedUp && replicaIdentityProblem(relation, primaryKey !== undefined);
    if (problem && !this.warned.has(relation.relationOid)) {
      this.warned.add(relation.relationOid);
      this.options.logger.warn(
        { table: `${relation.schema}.${relation.name}`, replicaIdentity: relation.replicaIdentity },
        problem,
      );
    }
  }

  private row(
    op: Op,
    relation: Pgoutput.MessageRelation,
    tuple: Row | null,
    old: Row | null,
  ): Decoded {
    const unavailable: string[] = [];
    let newRow: Row | null = tuple;
    if (tuple) {
      // pg-logical-replication reports an unchanged TOAST value ('u') as undefined unless it
      // could copy it from a REPLICA IDENTITY FULL old row. Such columns leave `new`.
      for (const column of relation.columns)
        if (tuple[column.name] === undefined) unavailable.push(column.name);
      if (unavailable.length > 0) {
        newRow = {};
        for (const column of relation.columns) {
          const value = tuple[column.name];
          if (value !== undefined) newRow[column.name] = value;
        }
      }
    }
    const keyColumns = this.keyColumns.get(relation.relationOid) ?? relation.keyColumns;
    const key = keyOf(keyColumns, newRow, old);
    if (op === 'update' && old && newRow) {
      const oldKey = keyOf(keyColumns, old, null);
      // A moved key: the old key's events are in the old key's partition, so its end must be
      // there too, after them (Debezium's convention: a delete of the old key, then a create).
      // Sent as one update keyed by the new key, it could be applied before them, and a refresh
      // of the old key from earlier in that partition would re-create a row that is gone.
      if (!sameKey(keyColumns, oldKey, key)) {
        return {
          kind: 'events',
          events: [
            this.event('delete', relation, oldKey, null, old, []),
            this.event('insert', relation, key, newRow, null, unavailable),
          ],
        };
      }
    }
    return { kind: 'events', events: [this.event(op, relation, key, newRow, old, unavailable)] };
  }

  private event(
    op: Op,
    relation: Pgoutput.MessageRelation,
    key: Row,
    newRow: Row | null,
    old: Row | null,
    unavailable: string[],
  ): ChangeEvent {
    return {
      v: WIRE_FORMAT_VERSION,
      op,
      schema: relation.schema,
      table: relation.name,
      key,
      new: newRow,
      old,
      unavailable,
      lsn: this.lsn,
      xid: this.xid,
      seq: this.seq++,
      ts: this.ts,
    };
  }

  private truncate(relation: Pgoutput.MessageRelation): ChangeEvent {
    return this.event('truncate', relation, {}, null, null, []);
  }
}

/**
 * Whether the event key needs the table's primary key from the catalog: pgoutput flags every
 * column as identity under REPLICA IDENTITY FULL (the whole row would become the key and split
 * one row's versions across partitions), and none under NOTHING.
 */
export function needsPrimaryKeyLookup(relation: Pgoutput.MessageRelation): boolean {
  return relation.replicaIdentity === 'full' || relation.keyColumns.length === 0;
}

/** What is wrong with a table's key for CDC, and the SQL that fixes it; undefined if nothing. */
function replicaIdentityProblem(
  relation: Pgoutput.MessageRelation,
  hasPrimaryKey: boolean,
): string | undefined {
  const table = `${relation.schema}.${relation.name}`;
  const identity = relation.replicaIdentity.toUpperCase();
  if (relation.replicaIdentity === 'full') {
    return hasPrimaryKey
      ? undefined
      : `table ${table} has no primary key: its events are keyed by the whole row, so one row's versions may land in different partitions. Fix: ALTER TABLE ${table} ADD PRIMARY KEY (...)`;
  }
  return hasPrimaryKey
    ? `table ${table} has a primary key but REPLICA IDENTITY ${identity}: Postgres sends no old key, so it rejects the table's UPDATEs and DELETEs while it is published. Fix: ALTER TABLE ${table} REPLICA IDENTITY DEFAULT`
    : `table ${table} has no primary key and REPLICA IDENTITY ${identity}: its events carry no key (all land in one partition) and Postgres rejects its UPDATEs and DELETEs while it is published. Fix: ALTER TABLE ${table} ADD PRIMARY KEY (...), or ALTER TABLE ${table} REPLICA IDENTITY FULL`;
}

/** The key columns' values from `row`, else from `fallback` (an unsent TOAST key), else null. */
function keyOf(columns: readonly string[], row: Row | null, fallback: Row | null): Row {
  const key: Row = {};
  for (const name of columns) key[name] = row?.[name] ?? fallback?.[name] ?? null;
  return key;
}

function sameKey(columns: readonly string[], a: Row, b: Row): boolean {
  return columns.every((name) => a[name] === b[name]);
}

export function unknownMessage(tag: unknown): FreshenError {
  return new FreshenError(
    'UNKNOWN_MESSAGE',
    `received a replication message this version of cdc-reader does not understand (${String(tag)}). ` +
      'The slot position was not confirmed past it. Upgrade cdc-reader, or check that the slot uses the pgoutput plugin with proto_version 1.',
  );
}
