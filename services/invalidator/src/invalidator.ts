import {
  createDeadLetterProducer,
  createGroupConsumer,
  ensureTopics,
  createKafkaAdmin,
  type ChangeConsumer,
  kafkaSecurityProblem,
  type KafkaConnection,
  type TopicSelection,
} from '@freshen/kafka';
import type { KafkaSecurity } from '@freshen/config';
import type { RuleSet } from '@freshen/rules';
import {
  backoffDelay,
  CloseList,
  createServiceRegistry,
  MINUTE,
  SECOND,
  sleep,
  startOpsServer,
  type Logger,
} from '@freshen/runtime';
import type { Cluster, Redis } from 'ioredis';
import { createBatchProcessor, type BatchProcessorOptions } from './batch-processor.ts';
import { errorSummary } from './ops/error-summary.ts';
import { InvalidatorHealth } from './ops/health.ts';
import { createMetrics, type InvalidatorMetrics } from './ops/metrics.ts';
import { registerRedisServerMetrics } from './ops/redis-server-metrics.ts';
import { INVALIDATOR_STATUS_FIGURES } from './ops/status-figures.ts';
import { RedisApplier, type ReplicaWait } from './redis/redis-applier.ts';
import { createInvalidatorRedisClient, type RedisTarget } from './redis/redis-client.ts';
import { redisRefusalOf, tlsMismatchOf, type RedisRefusal } from '@freshen/redis-client';

export interface InvalidatorOptions {
  kafkaBrokers: string[];
  /** TLS and SASL to the brokers (KAFKA_TLS*, KAFKA_SASL_*); absent: plain, unauthenticated. */
  kafkaSecurity?: KafkaSecurity;
  redis: RedisTarget;
  /** Replicas that must confirm each batch before it counts as done (WAIT). Default none. */
  redisWaitReplicas?: ReplicaWait;
  groupId: string;
  /** Explicit topics, or every topic matching the pattern (the DLQ topic is always excluded). */
  topics: readonly string[] | { prefix: string };
  dlqTopic: string;
  /** Replication factor if the DLQ topic has to be created. Default 1. */
  dlqReplicationFactor?: number;
  rules: RuleSet;
  logger: Logger;
  /** 0 picks a free port (tests). */
  metricsPort: number;
  /** Bind address of the ops server (OPS_HOST). Default 0.0.0.0. */
  opsHost?: string;
  partitionsConcurrency?: number;
  /** Consumer group session timeout. Default 10 s. */
  sessionTimeoutMs?: number;
  /** Work pending and no progress for this long: /healthz 503. Default 2 min. */
  wedgedAfterMs?: number;
  /** How long a deleted, once-refreshed key keeps its version as a tombstone. Default 10 min. */
  tombstoneTtlMs?: number;
  /** Least time between offset commits. Default 100 ms. */
  commitIntervalMs?: number;
  topicRefreshMs?: number;
  scanCount?: number;
  /** Called once Redis acknowledged a batch (benchmarks, diagnostics). */
  onApplied?: BatchProcessorOptions['onApplied'];
}

export interface Invalidator {
  readonly metrics: InvalidatorMetrics;
  readonly opsPort: number;
  /**
   * Never settles today: the invalidator restarts its consumer after any failure instead of
   * giving up (kept for runService, which exits when it settles).
   */
  readonly done: Promise<void>;
  /** Finishes and commits in-flight batches, then disconnects everything. Idempotent. */
  close(): Promise<void>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Admin requests at start: a few quick retries; the start loop below retries the whole attempt. */
const ADMIN_RETRIES = 3;
/** Delays between attempts to reach Kafka at start. */
const START_RETRY = { initialMs: 200, maxMs: 2 * SECOND };

/**
 * Wires Kafka → rules → Redis and starts consuming. Nothing happens on import. The ops server
 * comes up first: while Kafka cannot be reached the invalidator keeps trying (with backoff, an
 * error line naming the brokers) and /readyz says why it is not ready; it resolves once it
 * consumes.
 */
export async function startInvalidator(options: InvalidatorOptions): Promise<Invalidator> {
  const { logger } = options;
  const closeList = new CloseList();
  const metrics = createMetrics(createServiceRegistry('invalidator'));
  const done = new Promise<void>(() => {});
  let consumer: ChangeConsumer | undefined;
  const status = new InvalidatorHealth({
    logger,
    metrics,
    wedgedAfterMs: options.wedgedAfterMs ?? 2 * MINUTE,
    hasPendingCommits: () => consumer?.hasPendingCommits ?? false,
  });
  closeList.add('health', () => status.close());
  try {
    const redis = createInvalidatorRedisClient(options.redis);
    // disconnect() after quit() in every case: it also cancels a pending reconnect (after a
    // WRONGPASS ioredis is between attempts, and the timer would keep the process alive).
    closeList.add('redis', () =>
      redis
        .quit()
        .catch(() => {})
        .finally(() => redis.disconnect()),
    );
    watchRedisConnection(redis, options.redis, status, metrics);
    registerRedisServerMetrics(redis, metrics.registry);

    const ops = await startOpsServer({
      port: options.metricsPort,
      host: options.opsHost,
      registry: metrics.registry,
      health: () => status.liveness(),
      ready: () =>
        status.readiness({
          consumer: consumer?.running ? 'consuming' : 'starting',
          redisConnection: redis.status,
          topics: consumer?.topics.length ?? 0,
        }),
      status: { service: 'invalidator', figures: INVALIDATOR_STATUS_FIGURES },
    });
    closeList.add('ops server', () => ops.close());
    status.start();

    await redis.connect().catch(() => {
      // Reported by watchRedisConnection; batches wait for Redis (and retry) anyway.
    });

    const selection: TopicSelection = Array.isArray(options.topics)
      ? { topics: options.topics }
      : {
          pattern: new RegExp(`^${escapeRegExp((options.topics as { prefix: string }).prefix)}\\.`),
          exclude: [options.dlqTopic],
        };

    // Kafka: keep trying until it answers (or we are closed), each attempt from scratch.
    let closing = false;
    closeList.add('kafka start', () => void (closing = true));
    for (let attempt = 0; ; attempt++) {
      const attemptCleanup = new CloseList();
      try {
        const started = await connectKafka(
          options,
          selection,
          metrics,
          status,
          redis,
          logger,
          attemptCleanup,
        );
        consumer = started;
        closeList.add('kafka', () => attemptCleanup.close());
        break;
      } catch (error) {
        await attemptCleanup.close().catch(() => {});
        if (closing) throw error;
        const delay = backoffDelay(attempt, START_RETRY);
        // A refused password or certificate is named as such (once), not as "unreachable".
        const refusal = kafkaSecurityProblem(error, {
          brokers: options.kafkaBrokers,
          security: options.kafkaSecurity,
        });
        status.fail(
          'kafka',
          refusal ??
            `Kafka not reachable at ${options.kafkaBrokers.join(',')} (${errorSummary(error)}); retrying`,
          {},
          { cause: refusal !== undefined },
        );
        logger.warn(
          { err: error, brokers: options.kafkaBrokers, attempt: attempt + 1, retryInMs: delay },
          'Kafka start attempt failed; retrying',
        );
        await sleep(delay);
        if (closing) throw new Error('closed before Kafka could be reached');
      }
    }
    logger.info(
      {
        groupId: options.groupId,
        topics: consumer.topics,
        dlqTopic: options.dlqTopic,
        opsPort: ops.port,
      },
      'invalidator started',
    );

    // Runs first on close: what the shutdown itself disconnects is not reported as an outage.
    closeList.add('stop health reports', () => status.close());
    return { metrics, opsPort: ops.port, done, close: () => closeList.close() };
  } catch (error) {
    await closeList.close().catch(() => {});
    throw error;
  }
}

/** One attempt to reach Kafka: DLQ topic, dead-letter producer, consumer joined and fetching. */
async function connectKafka(
  options: InvalidatorOptions,
  selection: TopicSelection,
  metrics: InvalidatorMetrics,
  status: InvalidatorHealth,
  redis: Redis | Cluster,
  logger: Logger,
  cleanup: CloseList,
): Promise<ChangeConsumer> {
  const connection: KafkaConnection = {
    brokers: options.kafkaBrokers,
    clientId: `invalidator-${options.groupId}`,
    security: options.kafkaSecurity,
  };
  const admin = createKafkaAdmin(connection, { retries: ADMIN_RETRIES, retryDelay: 100 });
  try {
    await ensureTopics(admin, [
      {
        topic: options.dlqTopic,
        numPartitions: 1,
        replicationFactor: options.dlqReplicationFactor ?? 1,
      },
    ]);
  } finally {
    await admin.close();
  }

  const deadLetters = await createDeadLetterProducer(connection, options.dlqTopic);
  cleanup.add('dead-letter producer', () => deadLetters.close());

  const consumer = createGroupConsumer({
    connection,
    groupId: options.groupId,
    selection,
    logger,
    partitionsConsumedConcurrently: options.partitionsConcurrency,
    sessionTimeoutMs: options.sessionTimeoutMs,
    commitIntervalMs: options.commitIntervalMs,
    topicRefreshMs: options.topicRefreshMs,
    health: {
      fetched: () => status.fetched(),
      joined: () => status.progressed(),
      crashed: (error, restarting) =>
        status.fail(
          'kafka',
          `consumer failed (${errorSummary(error)}); ${restarting ? 'restarting it' : 'stopped'}`,
          { brokers: options.kafkaBrokers },
        ),
      committed: (error) => {
        if (error === undefined) {
          status.progressed();
          status.recover('commit', 'offset commits succeed again');
        } else {
          status.fail('commit', `Kafka refuses offset commits (${errorSummary(error)}); retrying`);
        }
      },
    },
  });
  const handler = createBatchProcessor({
    rules: options.rules,
    redis,
    applier: new RedisApplier(redis, {
      tombstoneTtlMs: options.tombstoneTtlMs,
      replicaWait: options.redisWaitReplicas,
    }),
    deadLetters,
    metrics,
    logger,
    scanCount: options.scanCount,
    onApplied: options.onApplied,
    status,
    redisRefusalOf: (error) => redisRefusalOf(error, options.redis),
    health: {
      redisDown: () => consumer.pauseAll(),
      redisUp: () => consumer.resumeAll(),
    },
  });
  // Registered before start: a consumer that joined halfway must still leave the group.
  cleanup.add('consumer', () => consumer.close());
  await consumer.start(handler);
  return consumer;
}

/**
 * Mirrors the Redis connection into readiness: a refusal (WRONGPASS, NOAUTH, TLS mismatch) is
 * one error line naming the cause and the fix; a lost connection says so; 'ready' clears it.
 * The listener also keeps ioredis from printing "Unhandled error event" to stderr.
 */
function watchRedisConnection(
  redis: Redis | Cluster,
  target: RedisTarget,
  status: InvalidatorHealth,
  metrics: InvalidatorMetrics,
): void {
  let lastError = 'connection closed';
  let refused = false;
  let probing = false;
  const refuse = (refusal: RedisRefusal) => {
    if (!refused) metrics.redisRefusals.inc({ cause: refusal.cause });
    refused = true;
    metrics.redisUp.set(0);
    status.fail('redis', refusal.message, { cause: refusal.cause }, { cause: true });
  };
  // A Cluster client reports its nodes' failures (WRONGPASS, TLS) as 'node error'.
  const onError = (error: unknown) => {
    const refusal = redisRefusalOf(error, target);
    if (refusal) return refuse(refusal);
    lastError = errorSummary(error);
    if (probing || refused) return;
    probing = true;
    void tlsMismatchOf(error, target)
      .then((mismatch) => mismatch && refuse(mismatch))
      .finally(() => (probing = false));
  };
  redis.on('error', onError);
  redis.on('node error', onError);
  redis.on('close', () => {
    metrics.redisUp.set(0);
    if (!refused) status.fail('redis', `Redis connection lost (${lastError}); reconnecting`);
  });
  redis.on('ready', () => {
    refused = false;
    lastError = 'connection closed';
    metrics.redisUp.set(1);
    status.recover('redis', 'Redis connection ready');
  });
}
