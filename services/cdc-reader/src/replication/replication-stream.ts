import { parseLsn } from '@freshen/change-event';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
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

interface ServiceInternals {
  _connection: { stream: Socket; sendCopyFromChunk(chunk: Buffer): void } | null;
}

/**
 * One replication connection streaming a slot with pgoutput (protocol version 1), through
 * pg-logical-replication with its automatic acknowledgement OFF: the library would otherwise
 * confirm what it has received, not what Kafka has. Confirmation is explicit (`confirm`).
 * Always starts at 0/0, which makes Postgres resume from the slot's confirmed position.
 */
export class ReplicationStream {
  private readonly options: ReplicationStreamOptions;
  private readonly service: LogicalReplicationService;
  private paused = false;
  private stopping = false;
  /** Settles when streaming ends: resolves on a clean stop, rejects on an error. */
  readonly ended: Promise<void>;
  private readonly started: Promise<void>;

  constructor(options: ReplicationStreamOptions) {
    this.options = options;
    this.service = new LogicalReplicationService(
      {
        connectionString: options.databaseUrl,
        application_name: `freshen-cdc-reader:${options.slot}`,
        // Event values are Postgres's text output, made by this walsender session with its own
        // settings; pin those that change the text, so events read the same on every server
        // (and match loaders that select ::text under the same settings).
        options:
          '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3',
      },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    this.service.on('data', (_lsn: string, message: Pgoutput.Message) => {
      if (!this.stopping) options.onMessage(message);
    });
    this.service.on('heartbeat', (walEnd: string, _time: number, replyRequested: boolean) => {
      if (!this.stopping) options.onKeepalive(parseLsn(walEnd), replyRequested);
    });
    let failed: (error: Error) => void = () => {};
    const errored = new Promise<never>((_, reject) => (failed = reject));
    this.service.on('error', (error: Error) => failed(error));
    this.started = new Promise<void>((resolve) => this.service.once('start', () => resolve()));
    const subscription = this.service.subscribe(
      new GuardedPgoutputPlugin({ protoVersion: 1, publicationNames: [options.publication] }),
      options.slot,
    );
    this.ended = Promise.race([subscription.then(() => undefined), errored]);
    this.ended.catch(() => {});
  }

  /** Resolves once Postgres accepted START_REPLICATION; rejects if streaming failed first. */
  async waitStarted(): Promise<void> {
    await Promise.race([
      this.started,
      this.ended.then(() => Promise.reject(new Error('replication ended before it started'))),
    ]);
  }

  private get connection(): ServiceInternals['_connection'] {
    // pg-logical-replication exposes neither the socket nor a raw write; both are needed to
    // stop reading (backpressure) and to confirm an exact LSN.
    return (this.service as unknown as ServiceInternals)._connection;
  }

  /** Stops reading the socket: Postgres stops sending once the TCP window fills. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.connection?.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.connection?.stream.resume();
  }

  /** Sends a standby status update confirming `lsn` (exactly; see standby-status.ts). */
  confirm(lsn: bigint, replyRequested = false): void {
    this.connection?.sendCopyFromChunk(standbyStatusUpdate(lsn, replyRequested));
  }

  /** Ends the connection; messages still buffered in the socket are dropped (never confirmed). */
  async stop(): Promise<void> {
    this.stopping = true;
    // A paused socket never sees the server's end of the connection, which pg's end() awaits.
    this.connection?.stream.resume();
    const settled = this.ended.then(
      () => undefined,
      () => undefined,
    );
    // pg's end() never resolves on a connection that already died, so whichever comes first.
    await Promise.race([this.service.destroy(), settled]);
    this.service.removeAllListeners();
  }
}
