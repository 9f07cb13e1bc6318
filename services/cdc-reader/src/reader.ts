import { parseLsn } from '@freshen/change-event';
import { redactUrl } from '@freshen/config';
// The publishing entry point, not '@freshen/kafka': with PUBLISH_THREAD=worker the Kafka
// client's modules load on the worker's thread alone.
import { createEventPublisher, type EventPublisher } from '@freshen/kafka/publishing';
import {
  backoffDelay,
  CloseList,
  createServiceRegistry,
  FreshenError,
  isFreshenError,
  SECOND,
  sleep,
  startOpsServer,
  type Logger,
  type OpsServer,
} from '@freshen/runtime';
import type pg from 'pg';
import type { ReaderConfig } from './config.ts';
import { PrimaryKeys } from './decoding/primary-keys.ts';
import { isTransientPostgresError, openLockConnection } from './ha/lock-connection.ts';
import { waitForSlotLock } from './ha/slot-lock.ts';
import { ReaderHealth, type ReaderRole } from './ops/health.ts';
import { READER_STATUS_FIGURES } from './ops/status-figures.ts';
import { createReaderMetrics, type ReaderMetrics } from './ops/metrics.ts';
import { postgresAddressOf } from './ops/postgres-problem.ts';
import { topicNamer } from './publishing/topic-naming.ts';
import { publicationTables } from './replication/publication-tables.ts';
import { checkPublication, ensureSlot } from './replication/slot-setup.ts';
import { StreamSession } from './stream-session.ts';

export type { ReaderRole } from './ops/health.ts';

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
/** How often Kafka is asked for metadata (readiness while nothing is published), and how long it may take. */
const KAFKA_PROBE_INTERVAL = 2 * SECOND;
const KAFKA_PROBE_TIMEOUT = 2 * SECOND;
/** How often liveness is evaluated without an HTTP probe (gauge and error line). */
const HEALTH_TICK = 1 * SECOND;
/**
 * Reconnect backoff after Postgres went away. Capped low: the target is streaming again
 * within 5 s of Postgres accepting connections, and a few connection attempts a second are
 * nothing to a server.
 */
const PG_BACKOFF = { initialMs: 200, maxMs: 2 * SECOND };
const KAFKA_BACKOFF = { initialMs: 500, maxMs: 5 * SECOND };

/**
 * Starts cdc-reader: ops server, Kafka producer (retried with backoff while /readyz is 503),
 * then the lock connection; waits for the slot's advisory lock (standby) and streams once it
 * holds it. Losing Postgres (restart, failover, dropped connection) is not fatal: the reader
 * reconnects, takes the lock again (or waits as a standby) and resumes from the slot. A
 * missing slot, a missing privilege, bad configuration or a message Kafka refuses for good is
 * fatal.
 *
 * Resolves once the reader is standby or streaming, or is retrying an unreachable dependency;
 * rejects if it fails for good before that.
 */
export async function startReader(config: ReaderConfig, logger: Logger): Promise<Reader> {
  const closeList = new CloseList();
  let session: StreamSession | undefined;
  const metrics = createReaderMetrics(
    {
      inFlightEvents: () => session?.inFlightEvents ?? 0,
      inFlightBytes: () => session?.inFlightBytes ?? 0,
    },
    createServiceRegistry('cdc-reader'),
  );
  const abort = new AbortController();
  const slot = config.SLOT_NAME;
  let role: ReaderRole = 'starting';
  let fatal: Error | undefined;
  const log = logger.child({ slot });
  const health = new ReaderHealth({
    metrics,
    logger: log,
    wedgedAfterMs: config.WEDGED_AFTER_MS,
    brokers: config.KAFKA_BROKERS,
    database: postgresAddressOf(config.DATABASE_URL),
  });
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const setRole = (next: ReaderRole) => {
    role = next;
    if (next === 'standby' || next === 'streaming') markStarted();
  };

  const ops: OpsServer = await startOpsServer({
    port: config.METRICS_PORT,
    host: config.OPS_HOST,
    registry: metrics.registry,
    health: () => {
      const report = health.health(session, fatal);
      return { ...report, details: { role, ...report.details } };
    },
    ready: () => health.ready(role, session),
    status: { service: 'cdc-reader', figures: READER_STATUS_FIGURES },
  });
  closeList.add('ops server', () => ops.close());
  const tick = setInterval(() => {
    health.health(session, fatal);
    health.ready(role, session);
  }, HEALTH_TICK);
  closeList.add('health tick', () => clearInterval(tick));

  const topicFor = topicNamer(config.TOPIC_TEMPLATE, config.TOPIC_PREFIX);
  const maxEventBytes = Math.min(config.MAX_EVENT_BYTES, config.BATCH_MAX_BYTES);

  /** Streams while `db` holds the lock; returns when the lock connection is lost or on abort. */
  const holdLockAndStream = async (db: pg.Client, tables: string[], publisher: EventPublisher) => {
    const lost = new AbortController();
    db.once('end', () => {
      lost.abort(new Error('lock connection ended'));
      // Another reader may take over now: stop at once, without waiting for Kafka.
      if (!abort.signal.aborted) void session?.end();
    });
    const locked = await waitForSlotLock(
      db,
      slot,
      config.LOCK_POLL_MS,
      AbortSignal.any([abort.signal, lost.signal]),
      () => {
        setRole('standby');
        log.info('another reader holds the slot lock; waiting as standby');
      },
    );
    if (!locked) return;
    metrics.active.set(1);
    const primaryKeys = new PrimaryKeys(db);
    const stats = setInterval(
      () => void sampleSlot(db, slot, metrics).catch(() => {}),
      SLOT_STATS_INTERVAL,
    );
    try {
      for (let attempt = 0; !abort.signal.aborted && !lost.signal.aborted;) {
        const start = await ensureSlot({
          db,
          slot,
          publication: config.PUBLICATION_NAME,
          tables,
          logger: log,
        });
        const current = new StreamSession({
          databaseUrl: config.DATABASE_URL,
          slot,
          publication: config.PUBLICATION_NAME,
          startLsn: parseLsn(start),
          publisher,
          topicFor,
          primaryKeys,
          currentSnapshot: () => currentSnapshot(db),
          logger: log,
          metrics,
          maxBatchEvents: config.BATCH_MAX_EVENTS,
          maxBatchBytes: config.BATCH_MAX_BYTES,
          maxEventBytes,
          maxInFlightEvents: config.MAX_IN_FLIGHT_EVENTS,
          maxInFlightBytes: config.MAX_IN_FLIGHT_BYTES,
          statusIntervalMs: config.STATUS_INTERVAL_MS,
          unsafeConfirmOnReceipt: config.FRESHEN_UNSAFE_CONFIRM_ON_RECEIPT,
        });
        session = current;
        try {
          await current.start();
          setRole('streaming');
          health.report('postgres');
          attempt = 0;
          await current.done;
          return;
        } catch (error) {
          if (abort.signal.aborted || lost.signal.aborted) return;
          const failure = isFreshenError(error)
            ? error
            : new FreshenError('POSTGRES_UNAVAILABLE', (error as Error).message, { cause: error });
          if (!failure.retryable) throw failure;
          setRole('reconnecting');
          health.report('postgres', failure);
          await current.stop().catch(() => {});
          const delay = backoffDelay(attempt++, PG_BACKOFF);
          log.warn({ err: failure, retryInMs: delay }, 'replication stopped; reconnecting');
          await sleep(delay, abort.signal).catch(() => {});
        }
      }
    } finally {
      clearInterval(stats);
      metrics.active.set(0);
      const last = session;
      if (last) {
        await last.end().catch(() => {});
        // An attempt already sent may still be acknowledged; let it land before a new
        // session re-reads the same rows, so a row's versions cannot reorder.
        await last.settled();
      }
    }
  };

  const run = async (): Promise<void> => {
    const tables = await publicationTables(config.PUBLICATION_TABLES, config.RULES_MODULE);
    const publisher = await connectPublisher(config, log, health, abort.signal, markStarted);
    if (!publisher) return;
    closeList.add('publisher', () => publisher.close());
    const probe = setInterval(() => void probeKafka(publisher, health), KAFKA_PROBE_INTERVAL);
    closeList.add('kafka probe', () => clearInterval(probe));

    let publicationChecked = false;
    for (let attempt = 0; !abort.signal.aborted;) {
      let db: pg.Client | undefined;
      try {
        db = await openLockConnection(config.DATABASE_URL, slot, log);
        health.report('postgres');
        if (!publicationChecked) {
          await checkPublication(db, config.PUBLICATION_NAME, tables, log);
          publicationChecked = true;
          log.info({ database: redactUrl(config.DATABASE_URL) }, 'connected');
        }
        attempt = 0;
        await holdLockAndStream(db, tables, publisher);
      } catch (error) {
        if (abort.signal.aborted) return;
        if (!isTransientPostgresError(error)) throw error;
        health.report('postgres', error as Error);
      } finally {
        await db?.end().catch(() => {});
      }
      if (abort.signal.aborted) return;
      // The lock connection is gone: Postgres restarted, failed over or dropped it. Another
      // reader may hold the lock by now, so take it again before streaming.
      setRole('reconnecting');
      markStarted();
      const delay = backoffDelay(attempt++, PG_BACKOFF);
      log.warn({ retryInMs: delay }, 'lost the lock connection; reconnecting to Postgres');
      await sleep(delay, abort.signal).catch(() => {});
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
  const close = () =>
    (closing ??= (async () => {
      abort.abort(new Error('closing'));
      await session
        ?.stop()
        .catch((error: unknown) => log.warn({ err: error }, 'error while stopping replication'));
      await done.catch(() => {});
      metrics.active.set(0);
      await closeList.close();
      // A start that failed is reported by the caller in one line; nothing else is logged.
      if (running) log.info('reader stopped');
    })());

  let running = false;
  try {
    await Promise.race([started, done]);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  running = true;
  return {
    get role() {
      return role;
    },
    metrics,
    opsPort: ops.port,
    done,
    close,
  };
}

async function probeKafka(publisher: EventPublisher, health: ReaderHealth): Promise<void> {
  try {
    await publisher.probe(KAFKA_PROBE_TIMEOUT);
    health.report('kafka');
  } catch (error) {
    health.report('kafka', error as Error);
  }
}

/**
 * Connects the publisher, retrying with capped backoff: forever when KAFKA_CONNECT_ATTEMPTS
 * is 0 (the default; /readyz stays 503 and an error line names the brokers), else that many
 * times before failing with KAFKA_UNAVAILABLE. Undefined when aborted.
 */
async function connectPublisher(
  config: ReaderConfig,
  logger: Logger,
  health: ReaderHealth,
  signal: AbortSignal,
  onRetrying: () => void,
): Promise<EventPublisher | undefined> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    const publisher = await newPublisher(config, logger);
    try {
      await publisher.connect();
      if (signal.aborted) {
        await publisher.close().catch(() => {});
        return undefined;
      }
      health.report('kafka');
      return publisher;
    } catch (error) {
      await publisher.close().catch(() => {});
      const limit = config.KAFKA_CONNECT_ATTEMPTS;
      if (limit > 0 && attempt + 1 >= limit) {
        throw new FreshenError(
          'KAFKA_UNAVAILABLE',
          `Kafka at ${config.KAFKA_BROKERS.join(',')} is unreachable after ${attempt + 1} attempts (KAFKA_CONNECT_ATTEMPTS): ${(error as Error).message}`,
          { cause: error },
        );
      }
      health.report('kafka', error as Error);
      onRetrying();
      await sleep(backoffDelay(attempt, KAFKA_BACKOFF), signal).catch(() => {});
    }
  }
  return undefined;
}

function newPublisher(config: ReaderConfig, logger: Logger): Promise<EventPublisher> {
  return createEventPublisher(
    {
      connection: {
        brokers: config.KAFKA_BROKERS,
        clientId: `freshen-cdc-reader-${config.SLOT_NAME}`,
        security: config.kafkaSecurity,
      },
      logger,
      logName: 'cdc-reader',
      partitions: config.TOPIC_PARTITIONS,
      replicationFactor: config.TOPIC_REPLICATION_FACTOR,
    },
    config.PUBLISH_THREAD,
  );
}

async function currentSnapshot(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ snapshot: string }>(
    'select pg_current_snapshot()::text as snapshot',
  );
  return rows[0]!.snapshot;
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
