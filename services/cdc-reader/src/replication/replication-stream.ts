import pg from 'pg';
import { PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Socket } from 'node:net';
import { RowMessageParser } from '../decoding/row-message-parser.ts';
import { useWireParsers } from '../decoding/value-parsers.ts';
import { standbyStatusUpdate } from './standby-status.ts';

/** A pgoutput message pg-logical-replication could not parse (unknown tag, missing relation...). */
export interface UnparseableMessage {
  tag: 'unparseable';
  error: Error;
}

export interface ReplicationStreamOptions {
  databaseUrl: string;
  slot: string;
  publication: string;
  /** Called synchronously, in WAL order, for every message. */
  onMessage(message: Pgoutput.Message | UnparseableMessage): void;
  /** A primary keepalive: the server has sent everything before `walEnd`. */
  onKeepalive(walEnd: bigint, replyRequested: boolean): void;
}

/**
 * Parses pgoutput with Freshen's value parsers, and catches parse errors so they reach the
 * reader as a message, not as an exception thrown inside pg's socket handler. Row messages
 * (insert, update, delete: nearly all of a stream) are read by Freshen's RowMessageParser,
 * everything else by pg-logical-replication.
 *
 * The parsers are installed here, the moment a relation message is parsed, because the library
 * parses each later tuple of that relation as soon as it arrives, with whatever parsers the
 * relation's columns hold then. Installing them later (when the reader handles the relation)
 * left the rows that arrived meanwhile parsed by pg's defaults: Dates, objects, lost digits.
 */
class GuardedPgoutputPlugin extends PgoutputPlugin {
  private readonly rows = new RowMessageParser();

  override parse(buffer: Buffer): Pgoutput.Message {
    try {
      const row = this.rows.parse(buffer);
      if (row) return row;
      const message = super.parse(buffer);
      if (message.tag === 'relation') {
        useWireParsers(message);
        this.rows.remember(message);
      }
      return message;
    } catch (error) {
      return { tag: 'unparseable', error: error as Error } as unknown as Pgoutput.Message;
    }
  }
}

/** pg's connection under a Client: its socket (for backpressure) and a raw CopyData write. */
interface ClientInternals {
  connection: {
    stream: Socket;
    sendCopyFromChunk(chunk: Buffer): void;
    on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): void;
    once(event: 'replicationStart', listener: () => void): void;
  };
}

/** CopyData message types of the streaming replication protocol. */
const XLOG_DATA = 0x77; // 'w'
const PRIMARY_KEEPALIVE = 0x6b; // 'k'
/** XLogData: type, WAL start, WAL end, send time; then the pgoutput message. */
const XLOG_DATA_HEADER_BYTES = 25;

/**
 * One replication connection streaming a slot with pgoutput (protocol version 1), on a pg
 * Client of its own in replication mode. Nothing is confirmed implicitly: confirmation is
 * explicit (`confirm`), of what Kafka has, not of what was received. Always starts at 0/0, which
 * makes Postgres resume from the slot's confirmed position.
 *
 * The connection is driven here rather than through pg-logical-replication's service, whose
 * per-message work (an LSN string, an EventEmitter2 emit and a promise for every row) was 5 % of
 * the reader's main thread on a 1M-row backlog; the library still parses pgoutput.
 */
export class ReplicationStream {
  private readonly options: ReplicationStreamOptions;
  private readonly client: pg.Client;
  private paused = false;
  private streaming = false;
  private stopping = false;
  /** Settles when streaming ends: resolves on a clean stop, rejects on an error. */
  readonly ended: Promise<void>;
  private readonly started: Promise<void>;

  constructor(options: ReplicationStreamOptions) {
    this.options = options;
    this.client = new pg.Client({
      connectionString: options.databaseUrl,
      replication: 'database',
      application_name: `freshen-cdc-reader:${options.slot}`,
      // Event values are Postgres's text output, made by this walsender session with its own
      // settings; pin those that change the text, so events read the same on every server
      // (and match loaders that select ::text under the same settings).
      options: '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3',
    } as pg.ClientConfig);
    let failed: (error: Error) => void = () => {};
    const errored = new Promise<never>((_, reject) => (failed = reject));
    this.client.on('error', (error: Error) => failed(error));
    let markStarted: () => void = () => {};
    this.started = new Promise<void>((resolve) => (markStarted = resolve));
    this.ended = Promise.race([this.stream(markStarted), errored]);
    this.ended.catch(() => {});
  }

  private async stream(markStarted: () => void): Promise<void> {
    await this.client.connect();
    const { connection } = this.client as unknown as ClientInternals;
    connection.once('replicationStart', () => {
      this.streaming = true;
      markStarted();
    });
    const plugin = new GuardedPgoutputPlugin({
      protoVersion: 1,
      publicationNames: [this.options.publication],
    });
    connection.on('copyData', ({ chunk }) => {
      if (this.stopping) return;
      if (chunk[0] === XLOG_DATA) {
        this.options.onMessage(plugin.parse(chunk.subarray(XLOG_DATA_HEADER_BYTES)));
      } else if (chunk[0] === PRIMARY_KEEPALIVE) {
        // Keepalive: type, WAL end (8 bytes), send time (8), reply requested (1).
        this.options.onKeepalive(chunk.readBigUInt64BE(1), chunk[17] !== 0);
      }
      // Postgres sends no other CopyData type to a logical replication client.
    });
    try {
      await plugin.start(this.client, this.options.slot, '0/00000000');
    } catch (error) {
      // Ending the connection ends the START_REPLICATION command with an error: not a failure.
      if (!this.stopping) throw error;
    }
  }

  /** Resolves once Postgres accepted START_REPLICATION; rejects if streaming failed first. */
  async waitStarted(): Promise<void> {
    await Promise.race([
      this.started,
      this.ended.then(() => Promise.reject(new Error('replication ended before it started'))),
    ]);
  }

  private get connection(): ClientInternals['connection'] {
    // pg exposes neither the socket nor a raw write; both are needed to stop reading
    // (backpressure) and to confirm an exact LSN.
    return (this.client as unknown as ClientInternals).connection;
  }

  /** Stops reading the socket: Postgres stops sending once the TCP window fills. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.connection.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.connection.stream.resume();
  }

  /** Sends a standby status update confirming `lsn` (exactly; see standby-status.ts). */
  confirm(lsn: bigint, replyRequested = false): void {
    // Only while streaming: before START_REPLICATION is accepted or once the connection is
    // ending, a CopyData message is a protocol error (or a write to a closed socket).
    if (!this.streaming || this.stopping) return;
    this.connection.sendCopyFromChunk(standbyStatusUpdate(lsn, replyRequested));
  }

  /** Ends the connection; messages still buffered in the socket are dropped (never confirmed). */
  async stop(): Promise<void> {
    this.stopping = true;
    // A paused socket never sees the server's end of the connection, which pg's end() awaits.
    this.connection.stream.resume();
    const settled = this.ended.then(
      () => undefined,
      () => undefined,
    );
    // pg's end() never resolves on a connection that already died, so whichever comes first.
    await Promise.race([this.client.end().catch(() => {}), settled]);
    this.client.removeAllListeners();
    // A late socket error must not become an unhandled 'error' event.
    this.client.on('error', () => {});
  }
}
