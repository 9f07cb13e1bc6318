import path from 'node:path';
import { committedOffsets, createKafkaAdmin, ensureTopics, topicEnds } from '@freshen/kafka';
import { CloseList, freePort, notYet, SECOND, waitFor } from '@freshen/runtime';
import type { Admin } from '@platformatic/kafka';
import pg from 'pg';
import { findRepoRoot } from './repo-root.ts';
import { dropSlotAndPublication } from './slot-cleanup.ts';
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
  /** Invalidator instances in the one consumer group (partitions split between them). Default 1. */
  invalidators?: number;
  /**
   * Start a standby cdc-reader on the same slot up front (it waits on the slot's advisory lock),
   * so failOverReader() can kill the active one and the standby takes over. Default false.
   */
  standbyReader?: boolean;
  /** Redis Cluster seed nodes (host:port): the invalidators run with REDIS_MODE=cluster. */
  redisClusterNodes?: string[];
}

/** What failOverReader() saw. */
export interface ReaderFailover {
  signal: 'SIGKILL' | 'SIGTERM';
  /** Seconds from the signal until the standby reported itself streaming. */
  takeoverSeconds: number;
}

export interface Pipeline {
  /** The streaming cdc-reader (after a failover, the one that took over). */
  readonly reader: ServiceProcess;
  /** The first invalidator instance. */
  readonly invalidator: ServiceProcess;
  /** Every invalidator instance (settings.invalidators of them). */
  readonly invalidators: readonly ServiceProcess[];
  readonly topics: readonly string[];
  readonly groupId: string;
  /** The Postgres schema of the example tables it streams. */
  readonly schema: string;
  /**
   * Waits until every change committed before the call reached Redis: the slot's confirmed
   * position passed the WAL position at the call (so Kafka acknowledged every event), and the
   * invalidator's group committed every partition to its end (it commits only after Redis acks).
   */
  waitForDrain(timeoutMs?: number): Promise<void>;
  /**
   * Waits until every change committed before the call was applied by the invalidators on every
   * partition of `topics`, while other changes keep flowing: the slot confirmed the WAL position
   * at the call, then the group committed each partition up to its end as seen at that moment.
   * (waitForDrain needs writes to stop; this does not.)
   */
  waitForApplied(topics: readonly string[], timeoutMs?: number): Promise<void>;
  /**
   * Kills the streaming reader with `signal` (needs standbyReader), runs `whileDown` once it
   * exited (its writes are then among the first of the next session), waits until the standby
   * streams, then starts a new standby, so the pipeline can fail over again.
   */
  failOverReader(
    signal: 'SIGKILL' | 'SIGTERM',
    whileDown?: () => Promise<void>,
  ): Promise<ReaderFailover>;
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

    const admin = createKafkaAdmin({ brokers: settings.kafkaBrokers, clientId: `${name}-harness` });
    closeList.add('kafka admin', () => admin.close());
    await ensureTopics(admin, [
      ...topics.map((topic) => ({ topic, numPartitions: settings.partitions ?? 3 })),
      { topic: dlqTopic, numPartitions: 1 },
    ]);
    closeList.add('topics', () => admin.deleteTopics({ topics: [...topics, dlqTopic] }));
    closeList.add('consumer group', () =>
      admin.deleteGroups({ groups: [groupId] }).catch(() => {}),
    );

    const readerOptions = {
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
    };
    let reader = spawnService(readerOptions);
    closeList.add('cdc-reader', () => reader.stop());
    const invalidatorOptions = {
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
        RULES_MODULE: path.join(root, 'packages/harness/src/rules-module.ts'),
        EXAMPLE_RULES_SCHEMA: schema,
        EXAMPLE_RULES_KEY_PREFIX: settings.keyPrefix,
        LOG_LEVEL: logLevel,
      },
    };
    const clusterEnv: Record<string, string> = settings.redisClusterNodes
      ? { REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: settings.redisClusterNodes.join(',') }
      : {};
    const invalidator = spawnService({
      ...invalidatorOptions,
      env: { ...invalidatorOptions.env, ...clusterEnv },
    });
    closeList.add('invalidator', () => invalidator.stop());
    const invalidators = [invalidator];
    for (let instance = 2; instance <= (settings.invalidators ?? 1); instance++) {
      const another = spawnService({
        ...invalidatorOptions,
        name: `invalidator-${instance}`,
        metricsPort: await freePort(),
        env: { ...invalidatorOptions.env, ...clusterEnv },
      });
      closeList.add(another.name, () => another.stop());
      invalidators.push(another);
    }

    for (const service of [reader, ...invalidators]) {
      await waitWhileRunning(
        service,
        async () => {
          const report = await service.readiness();
          return report?.ok === true && report.details?.role !== 'standby'
            ? true
            : notYet(JSON.stringify(report));
        },
        `${service.name} to be ready`,
      );
    }

    // The standby starts after the first reader streams, so which one is active is known.
    const startStandby = async (): Promise<ServiceProcess> => {
      const standby = spawnService({ ...readerOptions, metricsPort: await freePort() });
      closeList.add(`standby cdc-reader ${standby.pid}`, () => standby.stop());
      await waitForRole(standby, 'standby');
      return standby;
    };
    let standby = settings.standbyReader ? await startStandby() : undefined;

    return {
      get reader() {
        return reader;
      },
      invalidator,
      invalidators,
      topics,
      schema,
      groupId,
      waitForDrain: (timeoutMs = 60 * SECOND) =>
        waitForApplied(db, admin, name, groupId, topics, timeoutMs, true),
      waitForApplied: (applied, timeoutMs = 60 * SECOND) =>
        waitForApplied(db, admin, name, groupId, applied, timeoutMs),
      async failOverReader(signal, whileDown) {
        if (!standby)
          throw new Error('failOverReader needs startPipeline({ standbyReader: true })');
        const started = performance.now();
        const active = reader;
        if (signal === 'SIGKILL') active.kill('SIGKILL');
        else void active.stop();
        await active.exit;
        await whileDown?.();
        await waitForRole(standby, 'streaming');
        const takeoverSeconds = (performance.now() - started) / 1000;
        reader = standby;
        standby = await startStandby();
        return { signal, takeoverSeconds };
      },
      close: () => closeList.close(),
    };
  } catch (error) {
    await closeList.close().catch(() => {});
    throw error;
  }
}

/** Waits until a reader's /readyz reports `role` (and it has not exited). */
async function waitForRole(service: ServiceProcess, role: 'standby' | 'streaming'): Promise<void> {
  await waitWhileRunning(
    service,
    async () => {
      const report = await service.readiness();
      return report?.details?.role === role ? true : notYet(JSON.stringify(report));
    },
    `${service.name} ${service.pid} to be ${role}`,
  );
}

/**
 * waitFor(check) that fails at once, with the service's last output, when the service exits
 * meanwhile (waitFor itself retries a check that throws). (Regression: a race of `exit.then(() => true)` against `Promise.resolve(false)`
 * always saw false, so a service that died at start-up cost a silent 60 s timeout.)
 */
async function waitWhileRunning(
  service: ServiceProcess,
  check: () => Promise<boolean | ReturnType<typeof notYet>>,
  description: string,
): Promise<void> {
  const died = service.exit.then(() => {
    throw new Error(`${service.name} exited: ${service.output().slice(-3000)}`);
  });
  died.catch(() => {}); // it may exit long after the wait (when stopped); nothing to report then
  await Promise.race([waitFor(check, { timeoutMs: 60 * SECOND, description }), died]);
}

/**
 * Waits until every change committed before the call was applied: the slot confirmed the WAL
 * position at the call (so Kafka holds every event up to it), then the group committed every
 * partition up to its end. With `followEnds` the ends are read again on every poll, so events
 * that reach Kafka meanwhile are waited for too (drain: writes have stopped, but a write that
 * was still finishing must not be missed); without it, the ends read once after the slot
 * confirmed (other writes go on and are not waited for).
 */
async function waitForApplied(
  db: pg.Client,
  admin: Admin,
  slot: string,
  groupId: string,
  topics: readonly string[],
  timeoutMs: number,
  followEnds = false,
): Promise<void> {
  await waitForSlotConfirm(db, slot, timeoutMs);
  const fixedEnds = new Map<string, Map<number, bigint>>();
  for (const topic of topics) fixedEnds.set(topic, await topicEnds(admin, topic));
  await waitFor(
    async () => {
      for (const topic of topics) {
        const committed = await committedOffsets(admin, groupId, topic);
        const ends = followEnds ? await topicEnds(admin, topic) : fixedEnds.get(topic)!;
        for (const [partition, end] of ends) {
          const done = committed.get(partition) ?? -1n;
          if (end !== 0n && done < end)
            return notYet(`${topic}[${partition}] at ${done} of ${end}`);
        }
      }
      return true;
    },
    { timeoutMs, description: `group ${groupId} to apply ${topics.join(', ')}` },
  );
}

/** Waits until the slot's confirmed position passed the current WAL position. */
async function waitForSlotConfirm(db: pg.Client, slot: string, timeoutMs: number): Promise<void> {
  const { rows } = await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  const target = rows[0]!.lsn;
  await waitFor(
    async () => {
      const { rows: slots } = await db.query<{ done: boolean; confirmed: string }>(
        'select confirmed_flush_lsn >= $1::pg_lsn as done, confirmed_flush_lsn::text as confirmed from pg_replication_slots where slot_name = $2',
        [target, slot],
      );
      return slots[0]?.done === true
        ? true
        : notYet(`slot ${slot} confirmed ${slots[0]?.confirmed ?? 'missing'} < ${target}`);
    },
    { timeoutMs, description: `slot ${slot} to confirm ${target}` },
  );
}
