import path from 'node:path';
import { createKafkaClient, ensureTopics } from '@freshen/kafka';
import { CloseList, createLogger, freePort, SECOND } from '@freshen/runtime';
import type { Admin } from 'kafkajs';
import pg from 'pg';
import { pollUntil } from './poll-until.ts';
import { findRepoRoot } from './repo-root.ts';
import { spawnService, type ServiceProcess } from './service-process.ts';

/** The example tables, as the reader's publication lists them. */
export const EXAMPLE_TABLES = ['users', 'teams', 'team_members', 'products', 'orders'] as const;

export interface PipelineSettings {
  databaseUrl: string;
  kafkaBrokers: string[];
  redisUrl: string;
  /** Postgres schema holding the example tables (must exist). */
  schema: string;
  /** Keyspace prefix the invalidator's rules name keys with. */
  keyPrefix: string;
  /** Slot, publication and topic prefix; the consumer group is `<name>_invalidator`. [a-z0-9_] */
  name: string;
  /** Partitions per table topic. Default 3. */
  partitions?: number;
  /** Log level of both services. Default 'warn'. */
  logLevel?: string;
  /** Fixed metrics ports (the demo shows them); default free ones. */
  readerMetricsPort?: number;
  invalidatorMetricsPort?: number;
  /** Run the services in their own process groups (see spawnService). Default false. */
  detached?: boolean;
}

export interface Pipeline {
  readonly reader: ServiceProcess;
  readonly invalidator: ServiceProcess;
  readonly topics: readonly string[];
  readonly groupId: string;
  /**
   * Waits until every change committed before the call reached Redis: the slot's confirmed
   * position passed the WAL position at the call (so Kafka acknowledged every event), and the
   * invalidator's group committed every partition to its end (it commits only after Redis acks).
   */
  waitForDrain(timeoutMs?: number): Promise<void>;
  /** Stops both services (SIGTERM, then SIGKILL after a grace), drops slot, publication and topics. */
  close(): Promise<void>;
}

/**
 * Runs the real pipeline for one example schema: cdc-reader and invalidator as child processes
 * (as in production), each configured by environment, with their own slot, publication, topics,
 * consumer group and keyspace. Topics are created up front so the invalidator subscribes to
 * exactly them from the start.
 */
export async function startPipeline(settings: PipelineSettings): Promise<Pipeline> {
  const closeList = new CloseList();
  const root = findRepoRoot();
  const { name, schema } = settings;
  const topics = EXAMPLE_TABLES.map((table) => `${name}.${schema}.${table}`);
  const groupId = `${name}_invalidator`;
  const dlqTopic = `${name}.dlq`;
  const logLevel = settings.logLevel ?? 'warn';
  try {
    const db = new pg.Client({ connectionString: settings.databaseUrl });
    await db.connect();
    closeList.add('postgres', () => db.end());
    closeList.add('slot and publication', () => dropSlotAndPublication(db, name));

    const kafka = createKafkaClient({
      brokers: settings.kafkaBrokers,
      clientId: `${name}-harness`,
      logger: createLogger('pipeline', { level: 'silent' }),
    });
    const admin = kafka.admin();
    await admin.connect();
    closeList.add('kafka admin', () => admin.disconnect());
    await ensureTopics(admin, [
      ...topics.map((topic) => ({ topic, numPartitions: settings.partitions ?? 3 })),
      { topic: dlqTopic, numPartitions: 1 },
    ]);
    closeList.add('topics', () => admin.deleteTopics({ topics: [...topics, dlqTopic] }));
    closeList.add('consumer group', () => admin.deleteGroups([groupId]).catch(() => {}));

    const reader = spawnService({
      name: 'cdc-reader',
      detached: settings.detached ?? false,
      main: path.join(root, 'services/cdc-reader/src/main.ts'),
      cwd: root,
      metricsPort: settings.readerMetricsPort ?? (await freePort()),
      env: {
        DATABASE_URL: settings.databaseUrl,
        KAFKA_BROKERS: settings.kafkaBrokers.join(','),
        SLOT_NAME: name,
        PUBLICATION_NAME: name,
        PUBLICATION_TABLES: EXAMPLE_TABLES.map((table) => `${schema}.${table}`).join(','),
        TOPIC_PREFIX: name,
        TOPIC_PARTITIONS: String(settings.partitions ?? 3),
        // Confirm often, so a drained slot shows it quickly.
        STATUS_INTERVAL_MS: '200',
        LOG_LEVEL: logLevel,
      },
    });
    closeList.add('cdc-reader', () => reader.stop());
    const invalidator = spawnService({
      name: 'invalidator',
      detached: settings.detached ?? false,
      main: path.join(root, 'services/invalidator/src/main.ts'),
      cwd: root,
      metricsPort: settings.invalidatorMetricsPort ?? (await freePort()),
      env: {
        KAFKA_BROKERS: settings.kafkaBrokers.join(','),
        REDIS_MODE: 'standalone',
        REDIS_URL: settings.redisUrl,
        GROUP_ID: groupId,
        TOPICS: topics.join(','),
        DLQ_TOPIC: dlqTopic,
        RULES_MODULE: path.join(root, 'services/example-api/src/harness/rules-module.ts'),
        EXAMPLE_RULES_SCHEMA: schema,
        EXAMPLE_RULES_KEY_PREFIX: settings.keyPrefix,
        LOG_LEVEL: logLevel,
      },
    });
    closeList.add('invalidator', () => invalidator.stop());

    for (const service of [reader, invalidator]) {
      await pollUntil(
        async () => {
          const exited = await Promise.race([
            service.exit.then(() => true),
            Promise.resolve(false),
          ]);
          if (exited) throw new Error(`${service.name} exited: ${service.output().slice(-3000)}`);
          const report = await service.readiness();
          return report?.ok === true && report.details?.role !== 'standby'
            ? true
            : JSON.stringify(report);
        },
        { timeoutMs: 60 * SECOND, description: `${service.name} to be ready` },
      );
    }

    return {
      reader,
      invalidator,
      topics,
      groupId,
      waitForDrain: (timeoutMs = 60 * SECOND) =>
        waitForDrain(db, admin, name, groupId, topics, timeoutMs),
      close: () => closeList.close(),
    };
  } catch (error) {
    await closeList.close().catch(() => {});
    throw error;
  }
}

async function waitForDrain(
  db: pg.Client,
  admin: Admin,
  slot: string,
  groupId: string,
  topics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const { rows } = await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  const target = rows[0]!.lsn;
  await pollUntil(
    async () => {
      const { rows: slots } = await db.query<{ done: boolean; confirmed: string }>(
        'select confirmed_flush_lsn >= $1::pg_lsn as done, confirmed_flush_lsn::text as confirmed from pg_replication_slots where slot_name = $2',
        [target, slot],
      );
      return slots[0]?.done === true
        ? true
        : `slot ${slot} confirmed ${slots[0]?.confirmed ?? 'missing'} < ${target}`;
    },
    { timeoutMs, description: `slot ${slot} to confirm ${target}` },
  );
  await pollUntil(
    async () => {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          if (end.high !== '0' && BigInt(done) < BigInt(end.high))
            return `${topic}[${end.partition}] at ${done} of ${end.high}`;
        }
      }
      return true;
    },
    { timeoutMs, description: `group ${groupId} to commit every event` },
  );
}

async function dropSlotAndPublication(db: pg.Client, name: string): Promise<void> {
  await pollUntil(
    async () => {
      await db.query(
        'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null',
        [name],
      );
      await db.query(
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
        [name],
      );
      return true;
    },
    { timeoutMs: 10 * SECOND, description: `slot ${name} to drop` },
  );
  await db.query(`drop publication if exists ${name}`);
}
