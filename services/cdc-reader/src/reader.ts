import { parseLsn } from '@freshen/change-event';
import { redactUrl } from '@freshen/config';
import { createKafkaClient, KafkaEventPublisher, type EventPublisher } from '@freshen/kafka';
import {
  backoffDelay,
  CloseList,
  FreshenError,
  isFreshenError,
  SECOND,
  sleep,
  startOpsServer,
  type Logger,
  type OpsServer,
} from '@freshen/runtime';
import pg from 'pg';
import type { ReaderConfig } from './config.ts';
import { PrimaryKeys } from './decoding/primary-keys.ts';
import { waitForSlotLock } from './ha/slot-lock.ts';
import { createReaderMetrics, type ReaderMetrics } from './ops/reader-metrics.ts';
import { topicNamer } from './publishing/topic-naming.ts';
import { ensureSlot } from './replication/slot-setup.ts';
import { StreamSession } from './stream-session.ts';

export type ReaderRole = 'starting' | 'standby' | 'streaming' | 'reconnecting' | 'stopped';

export interface Reader {
  readonly role: ReaderRole;
  readonly metrics: ReaderMetrics;
  /** Port of the ops server (useful when METRICS_PORT=0). */
  readonly opsPort: number;
  /** Settles when the reader stops on its own: rejects with the fatal error. */
  readonly done: Promise<void>;
  /** Stop reading, flush to Kafka, confirm, close. Idempotent. */
  close(): Promise<void>;
}

/** How often the slot's lag and retained WAL are sampled for /metrics. */
const SLOT_STATS_INTERVAL = 5 * SECOND;

/**
 * Starts cdc-reader: ops server, Kafka producer (retried with backoff), then waits for the
 * slot's advisory lock (standby) and streams once it holds it, reconnecting after transient
 * replication failures. A missing slot, a missing privilege or an unknown message is fatal.
 */
export async function startReader(config: ReaderConfig, logger: Logger): Promise<Reader> {
  const closeList = new CloseList();
  let session: StreamSession | undefined;
  const metrics = createReaderMetrics({
    inFlightEvents: () => session?.inFlightEvents ?? 0,
    inFlightBytes: () => session?.inFlightBytes ?? 0,
  });
  const abort = new AbortController();
  const slot = config.SLOT_NAME;
  let role: ReaderRole = 'starting';
  let fatal: Error | undefined;
  const log = logger.child({ slot });

  const ops: OpsServer = await startOpsServer({
    port: config.METRICS_PORT,
    host: config.OPS_HOST,
    registry: metrics.registry,
    health: () => ({
      ok: fatal === undefined,
      details: { role, ...(fatal ? { error: fatal.message } : {}) },
    }),
    ready: () => ({
      ok: role === 'streaming' || role === 'standby',
      details: { role, paused: session?.paused ?? false },
    }),
  });
  closeList.add('ops server', () => ops.close());

  try {
    const publisher = await connectPublisher(config, log);
    closeList.add('publisher', () => publisher.close());

    const db = new pg.Client({
      connectionString: config.DATABASE_URL,
      application_name: `freshen-cdc-reader-lock:${slot}`,
    });
    db.on('error', (error) => log.warn({ err: error }, 'lock connection error'));
    try {
      await db.connect();
    } catch (error) {
      throw new FreshenError(
        'POSTGRES_UNAVAILABLE',
        `cannot connect to Postgres at ${redactUrl(config.DATABASE_URL)}: ${(error as Error).message}. Check DATABASE_URL.`,
        { cause: error },
      );
    }
    closeList.add('lock connection', () => db.end());
    log.info({ database: redactUrl(config.DATABASE_URL) }, 'connected');

    const run = async (): Promise<void> => {
      const locked = await waitForSlotLock(db, slot, config.LOCK_POLL_MS, abort.signal, () => {
        role = 'standby';
        log.info('another reader holds the slot lock; waiting as standby');
      });
      if (!locked) return;
      // Losing the lock connection means another reader may take over: stop at once.
      let lockLost = false;
      db.once('end', () => {
        lockLost = true;
        if (!abort.signal.aborted) void session?.end();
      });
      metrics.active.set(1);
      const primaryKeys = new PrimaryKeys(db);
      const topicFor = topicNamer(config.TOPIC_TEMPLATE, config.TOPIC_PREFIX);
      const stats = setInterval(
        () => void sampleSlot(db, slot, metrics).catch(() => {}),
        SLOT_STATS_INTERVAL,
      );
      if (closeList.closed) clearInterval(stats);
      else closeList.add('slot stats', () => clearInterval(stats));
      for (let attempt = 0; !abort.signal.aborted;) {
        const start = await ensureSlot({
          db,
          slot,
          publication: config.PUBLICATION_NAME,
          tables: config.PUBLICATION_TABLES,
          logger: log,
        });
        session = new StreamSession({
          databaseUrl: config.DATABASE_URL,
          slot,
          publication: config.PUBLICATION_NAME,
          startLsn: parseLsn(start),
          publisher,
          topicFor,
          primaryKeys,
          logger: log,
          metrics,
          maxBatchEvents: config.BATCH_MAX_EVENTS,
          maxBatchBytes: config.BATCH_MAX_BYTES,
          maxInFlightEvents: config.MAX_IN_FLIGHT_EVENTS,
          maxInFlightBytes: config.MAX_IN_FLIGHT_BYTES,
          statusIntervalMs: config.STATUS_INTERVAL_MS,
          unsafeConfirmOnReceipt: config.FRESHEN_UNSAFE_CONFIRM_ON_RECEIPT,
        });
        try {
          await session.start();
          role = 'streaming';
          attempt = 0;
          await session.done;
          if (lockLost)
            throw new FreshenError(
              'POSTGRES_UNAVAILABLE',
              `lost the connection holding the lock of slot ${slot}; another reader may take over, so this one stops`,
            );
          return;
        } catch (error) {
          if (abort.signal.aborted) return;
          if (lockLost) {
            throw new FreshenError(
              'POSTGRES_UNAVAILABLE',
              `lost the connection holding the lock of slot ${slot}; another reader may take over, so this one stops`,
              { cause: error },
            );
          }
          const failure = isFreshenError(error)
            ? error
            : new FreshenError('POSTGRES_UNAVAILABLE', (error as Error).message, { cause: error });
          if (!failure.retryable) throw failure;
          role = 'reconnecting';
          await session.stop().catch(() => {});
          const delay = backoffDelay(attempt++, { initialMs: 250, maxMs: 5 * SECOND });
          log.warn({ err: failure, retryInMs: delay }, 'replication stopped; reconnecting');
          await sleep(delay, abort.signal).catch(() => {});
        }
      }
    };

    const done = run().then(
      () => {
        role = 'stopped';
      },
      (error: unknown) => {
        fatal = error as Error;
        role = 'stopped';
        throw error;
      },
    );
    done.catch(() => {});

    let closing: Promise<void> | undefined;
    return {
      get role() {
        return role;
      },
      metrics,
      opsPort: ops.port,
      done,
      close: () =>
        (closing ??= (async () => {
          abort.abort(new Error('closing'));
          await session
            ?.stop()
            .catch((error: unknown) =>
              log.warn({ err: error }, 'error while stopping replication'),
            );
          metrics.active.set(0);
          await closeList.close();
          log.info('reader stopped');
        })()),
    };
  } catch (error) {
    await closeList.close().catch(() => {});
    throw error;
  }
}

async function connectPublisher(config: ReaderConfig, logger: Logger): Promise<EventPublisher> {
  for (let attempt = 0; ; attempt++) {
    const publisher = await newPublisher(config, logger);
    try {
      await publisher.connect();
      return publisher;
    } catch (error) {
      await publisher.close().catch(() => {});
      if (attempt + 1 >= config.KAFKA_CONNECT_ATTEMPTS) {
        throw new FreshenError(
          'KAFKA_UNAVAILABLE',
          `Kafka at ${config.KAFKA_BROKERS.join(',')} is unreachable after ${attempt + 1} attempts: ${(error as Error).message}. Check KAFKA_BROKERS and that the brokers are up.`,
          { cause: error },
        );
      }
      const delay = backoffDelay(attempt, { initialMs: 500, maxMs: 10 * SECOND });
      logger.warn(
        { err: error, attempt: attempt + 1, retryInMs: delay },
        'Kafka unreachable; retrying',
      );
      await sleep(delay);
    }
  }
}

async function newPublisher(config: ReaderConfig, logger: Logger): Promise<EventPublisher> {
  const clientId = `freshen-cdc-reader-${config.SLOT_NAME}`;
  const topics = {
    partitions: config.TOPIC_PARTITIONS,
    replicationFactor: config.TOPIC_REPLICATION_FACTOR,
  };
  if (config.KAFKA_CLIENT === 'platformatic') {
    // Loaded only when chosen: the client is ESM-only, which jest's CommonJS runtime (that
    // runs in-process readers in tests) cannot load.
    const { PlatformaticEventPublisher } = await import('@freshen/kafka/platformatic');
    return new PlatformaticEventPublisher({
      brokers: config.KAFKA_BROKERS,
      clientId,
      logger,
      ...topics,
    });
  }
  return new KafkaEventPublisher({
    kafka: createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId, logger }),
    logger,
    ...topics,
  });
}

async function sampleSlot(db: pg.Client, slot: string, metrics: ReaderMetrics): Promise<void> {
  const result = await db.query<{ lag: string | null; retained: string | null }>(
    `select (pg_current_wal_lsn() - confirmed_flush_lsn)::text as lag, (pg_current_wal_lsn() - restart_lsn)::text as retained
       from pg_replication_slots where slot_name = $1`,
    [slot],
  );
  const row = result.rows[0];
  if (!row) return;
  metrics.lagBytes.set(Number(row.lag ?? 0));
  metrics.retainedBytes.set(Number(row.retained ?? 0));
}
