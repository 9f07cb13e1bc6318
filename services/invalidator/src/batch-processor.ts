import type { BatchHandler, ConsumedBatch, DeadLetterProducer } from '@freshen/kafka';
import type { RuleSet } from '@freshen/rules';
import { backoffDelay, SECOND, sleep, type Logger } from '@freshen/runtime';
import type { Cluster, Redis } from 'ioredis';
import type { InvalidatorMetrics } from './ops/metrics.ts';
import { planBatch } from './plan/batch-plan.ts';
import type { RedisApplier } from './redis/redis-applier.ts';
import { truncateKeys } from './redis/truncate-keys.ts';

/** Told when Redis stops and starts acknowledging, so the consumer can pause fetching. */
export interface RedisHealthListener {
  redisDown(): void;
  redisUp(): void;
}

export interface BatchProcessorOptions {
  rules: RuleSet;
  redis: Redis | Cluster;
  applier: RedisApplier;
  deadLetters: DeadLetterProducer;
  metrics: InvalidatorMetrics;
  logger: Logger;
  health: RedisHealthListener;
  scanCount?: number;
  /** Called once Redis acknowledged a batch (benchmarks, diagnostics). */
  onApplied?: (applied: AppliedBatch) => void;
}

export interface AppliedBatch {
  /** End-to-end lag of each applied change: commit timestamp → Redis acknowledgement, ms. */
  lagsMs: number[];
  batch: ConsumedBatch;
  /** When the handler got the batch and when Redis acknowledged it (Date.now()). */
  receivedAt: number;
  acknowledgedAt: number;
}

const RETRY = { initialMs: 50, maxMs: 5 * SECOND };

/**
 * The consumer's batch handler: plan (decode, rules), dead-letter what failed (acked before
 * anything is committed), apply the Redis work in order, retrying failures with backoff
 * until Redis acknowledges. Returns 'done' only when every message is accounted for; while
 * retrying it keeps the group membership alive, and gives the batch up (uncommitted, to be
 * re-delivered) only when the consumer stops or the group rebalances.
 */
export function createBatchProcessor(options: BatchProcessorOptions): BatchHandler {
  const { rules, redis, applier, deadLetters, metrics, logger, health } = options;
  let failing = false;

  /** Runs `work` until Redis acknowledges it; false if the batch was given up. */
  async function untilAcknowledged(
    batch: ConsumedBatch,
    work: () => Promise<void>,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        if (failing) {
          failing = false;
          metrics.redisUp.set(1);
          logger.info({ attempts: attempt }, 'Redis acknowledges again; resuming');
          health.redisUp();
        }
        return true;
      } catch (error) {
        metrics.redisRetries.inc();
        if (!failing) {
          failing = true;
          metrics.redisUp.set(0);
          logger.warn(
            { err: error, topic: batch.topic, partition: batch.partition },
            'Redis failed; pausing fetch and retrying',
          );
          health.redisDown();
        }
      }
      if (!batch.isRunning() || batch.isStale()) return false;
      await batch.heartbeat(); // throws when the group rebalances: the batch is re-delivered
      await sleep(backoffDelay(attempt, RETRY));
      if (!batch.isRunning() || batch.isStale()) return false;
    }
  }

  return async (batch) => {
    const receivedAt = Date.now();
    const plan = planBatch(batch.messages, rules);
    metrics.batchSize.observe(batch.messages.length);

    if (plan.deadLetters.length > 0) {
      await deadLetters.send(plan.deadLetters);
      for (const letter of plan.deadLetters) {
        metrics.deadLetters.inc({ code: letter.errorCode });
        logger.warn(
          {
            topic: letter.message.topic,
            partition: letter.message.partition,
            offset: letter.message.offset,
            code: letter.errorCode,
            reason: letter.errorMessage,
          },
          `dead-lettered a message to ${deadLetters.topic}`,
        );
      }
    }

    for (const step of plan.steps) {
      const acknowledged = await untilAcknowledged(batch, async () => {
        if (step.kind === 'apply') {
          const result = await applier.apply(step.work);
          metrics.keysDeleted.inc(result.deleted);
          metrics.keysRefreshed.inc(result.refreshed);
          metrics.refreshesRefused.inc(result.refused);
        } else {
          const unlinked = await truncateKeys(redis, step.patterns, {
            scanCount: options.scanCount,
          });
          metrics.truncates.inc();
          metrics.truncatedKeys.inc(unlinked);
          logger.info({ schema: step.schema, table: step.table, unlinked }, 'applied truncate');
        }
      });
      if (!acknowledged) return 'abandoned';
    }

    const now = Date.now();
    const lags = plan.commitTimes.map((ts) => now - ts);
    for (const lag of lags) metrics.lag.observe(lag / SECOND);
    options.onApplied?.({ lagsMs: lags, batch, receivedAt, acknowledgedAt: now });
    metrics.events.inc(batch.messages.length);
    metrics.skipped.inc(plan.skipped);
    return 'done';
  };
}
