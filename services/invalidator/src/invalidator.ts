import {
  createDeadLetterProducer,
  createKafkaClient,
  createKafkajsConsumer,
  ensureTopics,
  type TopicSelection,
} from '@freshen/kafka';
import type { RuleSet } from '@freshen/rules';
import { CloseList, logClientErrors, startOpsServer, type Logger } from '@freshen/runtime';
import { createBatchProcessor, type BatchProcessorOptions } from './batch-processor.ts';
import { createMetrics, type InvalidatorMetrics } from './ops/metrics.ts';
import { RedisApplier } from './redis/redis-applier.ts';
import { createRedisClient, type RedisTarget } from './redis/redis-client.ts';

export interface InvalidatorOptions {
  kafkaBrokers: string[];
  redis: RedisTarget;
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
  /** Consumer group session timeout. Default 30 s. */
  sessionTimeoutMs?: number;
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
  /** Rejects when the consumer failed for good. */
  readonly done: Promise<void>;
  /** Finishes and commits in-flight batches, then disconnects everything. Idempotent. */
  close(): Promise<void>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Wires Kafka → rules → Redis and starts consuming. Nothing happens on import. */
export async function startInvalidator(options: InvalidatorOptions): Promise<Invalidator> {
  const { logger } = options;
  const closeList = new CloseList();
  const metrics = createMetrics();
  let fail: (error: Error) => void = () => {};
  const done = new Promise<void>((_, reject) => (fail = reject));
  try {
    const kafka = createKafkaClient({
      brokers: options.kafkaBrokers,
      clientId: `invalidator-${options.groupId}`,
      logger,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        {
          topic: options.dlqTopic,
          numPartitions: 1,
          replicationFactor: options.dlqReplicationFactor ?? 1,
        },
      ]);
    } finally {
      await admin.disconnect();
    }

    const redis = createRedisClient(options.redis);
    logClientErrors(redis, logger, { client: 'redis' }); // else ioredis prints plain text on stderr
    closeList.add('redis', () => redis.quit().catch(() => redis.disconnect()));
    await redis
      .connect()
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'Redis not reachable at start; batches will retry'),
      );
    metrics.redisUp.set(1);

    const deadLetters = await createDeadLetterProducer(kafka, options.dlqTopic);
    closeList.add('dead-letter producer', () => deadLetters.close());

    const selection: TopicSelection = Array.isArray(options.topics)
      ? { topics: options.topics }
      : {
          pattern: new RegExp(`^${escapeRegExp((options.topics as { prefix: string }).prefix)}\\.`),
          exclude: [options.dlqTopic],
        };
    const consumer = createKafkajsConsumer({
      kafka,
      groupId: options.groupId,
      selection,
      logger,
      partitionsConsumedConcurrently: options.partitionsConcurrency,
      sessionTimeoutMs: options.sessionTimeoutMs,
      commitIntervalMs: options.commitIntervalMs,
      topicRefreshMs: options.topicRefreshMs,
      onFatal: (error) => fail(error),
    });
    let redisHealthy = true;
    const handler = createBatchProcessor({
      rules: options.rules,
      redis,
      applier: new RedisApplier(redis),
      deadLetters,
      metrics,
      logger,
      scanCount: options.scanCount,
      onApplied: options.onApplied,
      health: {
        redisDown: () => {
          redisHealthy = false;
          consumer.pauseAll();
        },
        redisUp: () => {
          redisHealthy = true;
          consumer.resumeAll();
        },
      },
    });

    const ops = await startOpsServer({
      port: options.metricsPort,
      host: options.opsHost,
      registry: metrics.registry,
      health: () => ({ ok: !closeList.closed }),
      ready: () => {
        const redisState = redis.status;
        const ok = consumer.running && redisHealthy && redisState === 'ready';
        return {
          ok,
          details: {
            consumer: consumer.running ? 'consuming' : 'stopped',
            redis: redisHealthy ? redisState : 'retrying',
            topics: consumer.topics.length,
          },
        };
      },
    });
    closeList.add('ops server', () => ops.close());

    closeList.add('consumer', () => consumer.close());
    await consumer.start(handler);
    logger.info(
      {
        groupId: options.groupId,
        topics: consumer.topics,
        dlqTopic: options.dlqTopic,
        opsPort: ops.port,
      },
      'invalidator started',
    );

    return { metrics, opsPort: ops.port, done, close: () => closeList.close() };
  } catch (error) {
    await closeList.close().catch(() => {});
    throw error;
  }
}
