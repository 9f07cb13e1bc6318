import type { BatchHandler, ConsumedBatch, DeadLetterProducer } from '@freshen/kafka';
import type { RuleSet } from '@freshen/rules';
import { backoffDelay, isFreshenError, SECOND, sleep, type Logger } from '@freshen/runtime';
import type { Cluster, Redis } from 'ioredis';
import type { InvalidatorHealth } from './ops/health.ts';
import type { InvalidatorMetrics } from './ops/metrics.ts';
import { planBatch } from './plan/batch-plan.ts';
import { countStructureOps } from './ops/structure-metrics.ts';
import type { RedisApplier } from './redis/redis-applier.ts';
import { errorSummary } from './ops/error-summary.ts';
import type { RedisRefusal } from '@freshen/redis-client';
import { truncateKeys } from './redis/truncate-keys.ts';

/** Told when Redis stops and starts acknowledging, so the consumer can pause fetching. */
export interface RedisHealthListener {
  redisDown(): void;
  redisUp(): void;
}

/** Errors thrown by the consumer's heartbeat (a rebalance): the consumer must see them as they are. */
const fromHeartbeat = new WeakSet<object>();

export interface BatchProcessorOptions {
  rules: RuleSet;
  redis: Redis | Cluster;
  applier: RedisApplier;
  deadLetters: DeadLetterProducer;
  metrics: InvalidatorMetrics;
  logger: Logger;
  health: RedisHealthListener;
  /** Readiness and progress (/readyz, /healthz). */
  status: InvalidatorHealth;
  /** Recognises Redis refusals (WRONGPASS, NOPERM...) that only the operator can fix. */
  redisRefusalOf: (error: unknown) => RedisRefusal | undefined;
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

/**
 * Retry delays while Redis fails: capped at 1 s so that the first change is applied within
 * about a second of Redis coming back. A refusal (NOPERM...) is retried more slowly: it only
 * heals when the operator changes the ACL or the setting.
 */
const RETRY = { initialMs: 50, maxMs: SECOND };
const REFUSED_RETRY = { initialMs: SECOND, maxMs: 5 * SECOND };
/** Retry delays while a dead letter cannot be written (Kafka away, or the DLQ refuses even a reference). */
const DEAD_LETTER_RETRY = { initialMs: 100, maxMs: 5 * SECOND };

/**
 * The consumer's batch handler: plan (decode, rules), dead-letter what failed (acked before
 * anything is committed), apply the Redis work in order, retrying failures with backoff
 * until Redis acknowledges. Returns 'done' only when every message is accounted for; while
 * retrying it keeps the group membership alive, and gives the batch up (uncommitted, to be
 * re-delivered) only when the consumer stops or the group rebalances.
 */
export function createBatchProcessor(options: BatchProcessorOptions): BatchHandler {
  const { rules, redis, applier, deadLetters, metrics, logger, health, status } = options;
  let failing = false;

  /** Keeps the membership alive between retries; false if the batch must be given up. */
  async function beforeRetry(batch: ConsumedBatch, delayMs: number): Promise<boolean> {
    if (!batch.isRunning() || batch.isStale()) return false;
    try {
      await batch.heartbeat(); // throws when the group rebalances: the batch is re-delivered
    } catch (error) {
      if (error && typeof error === 'object') fromHeartbeat.add(error);
      throw error;
    }
    await sleep(delayMs);
    return batch.isRunning() && !batch.isStale();
  }

  /** Runs `work` until Redis acknowledges it; false if the batch was given up. */
  async function untilAcknowledged(
    batch: ConsumedBatch,
    work: () => Promise<void>,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      let refused = false;
      try {
        await work();
        if (failing) {
          failing = false;
          metrics.redisUp.set(1);
          logger.info({ attempts: attempt }, 'Redis acknowledges again; resuming');
          status.recover('redis', 'Redis acknowledges work again');
          health.redisUp();
        }
        return true;
      } catch (error) {
        metrics.redisRetries.inc();
        const refusal = options.redisRefusalOf(error);
        refused = refusal !== undefined;
        if (refusal && !status.isFailing('redis'))
          metrics.redisRefusals.inc({ cause: refusal.cause });
        status.fail(
          'redis',
          refusal
            ? refusal.message
            : `Redis failed (${errorSummary(error)}); fetching paused, retrying`,
          {
            topic: batch.topic,
            partition: batch.partition,
            ...(refusal && { cause: refusal.cause }),
          },
          { cause: refusal !== undefined },
        );
        if (!failing) {
          failing = true;
          metrics.redisUp.set(0);
          health.redisDown();
        }
      }
      if (!(await beforeRetry(batch, backoffDelay(attempt, refused ? REFUSED_RETRY : RETRY))))
        return false;
    }
  }

  /**
   * Writes the batch's dead letters, retrying until Kafka acknowledged them: the partition is
   * held (never committed past them) meanwhile, and /readyz says so. False if given up.
   */
  async function untilDeadLettered(
    batch: ConsumedBatch,
    letters: ConsumedBatchLetters,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const forms = await deadLetters.send(letters);
        status.recover('dead_letter', `dead letters are written to ${deadLetters.topic} again`);
        for (const [index, letter] of letters.entries()) {
          metrics.deadLetters.inc({ code: letter.errorCode });
          const reference = forms[index] === 'reference';
          if (reference) metrics.deadLetterReferences.inc();
          logger.warn(
            {
              topic: letter.message.topic,
              partition: letter.message.partition,
              offset: letter.message.offset,
              code: letter.errorCode,
              reason: letter.errorMessage,
              size: letter.message.value?.length ?? 0,
              ...(reference && { form: 'reference' }),
            },
            reference
              ? `dead-lettered a reference to a message too large for ${deadLetters.topic}`
              : `dead-lettered a message to ${deadLetters.topic}`,
          );
        }
        return true;
      } catch (error) {
        const first = letters[0]!.message;
        status.fail(
          'dead_letter',
          isFreshenError(error, 'DEAD_LETTER_FAILED')
            ? `${error.message}; partition ${first.topic}/${first.partition} is held at offset ${first.offset}`
            : `cannot write to the dead-letter topic ${deadLetters.topic} (${errorSummary(error)}); partition ${first.topic}/${first.partition} is held at offset ${first.offset}`,
          { topic: first.topic, partition: first.partition, offset: first.offset },
        );
      }
      if (!(await beforeRetry(batch, backoffDelay(attempt, DEAD_LETTER_RETRY)))) return false;
    }
  }

  async function handle(batch: ConsumedBatch) {
    const receivedAt = Date.now();
    const plan = planBatch(batch.messages, rules);
    metrics.batchSize.observe(batch.messages.length);

    if (plan.deadLetters.length > 0) {
      if (!(await untilDeadLettered(batch, plan.deadLetters))) return 'abandoned';
    }

    for (const step of plan.steps) {
      const acknowledged = await untilAcknowledged(batch, async () => {
        if (step.kind === 'apply') {
          const result = await applier.apply(step.work);
          metrics.keysDeleted.inc(result.deleted);
          metrics.keysRefreshed.inc(result.refreshed);
          metrics.refreshesRefused.inc(result.refused);
          countStructureOps(metrics, result.structures);
          if (result.structures.wrongType > 0)
            logger.warn(
              { count: result.structures.wrongType },
              'structure changes not applied: their keys hold another Redis type (a key kind used both as a structure and otherwise)',
            );
          metrics.tagInvalidations.inc(result.tagsInvalidated);
        } else {
          const truncated = await truncateKeys(redis, step.patterns, {
            version: step.version,
            tombstoneTtlMs: applier.tombstoneTtlMs,
            scanCount: options.scanCount,
          });
          metrics.truncates.inc();
          metrics.truncatedKeys.inc(truncated.unlinked);
          logger.info({ schema: step.schema, table: step.table, ...truncated }, 'applied truncate');
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
  }

  let unexpectedFailures = 0;
  return async (batch) => {
    status.batchStarted();
    let outcome: 'done' | 'abandoned' = 'abandoned';
    try {
      outcome = await handle(batch);
      unexpectedFailures = 0;
      return outcome;
    } catch (error) {
      if (error && typeof error === 'object' && fromHeartbeat.has(error)) throw error;
      // Nothing else may escape to the consumer: it would hand the same messages straight back.
      // Give the batch back (uncommitted) after a pause instead.
      logger.error(
        { err: error, topic: batch.topic, partition: batch.partition },
        'batch failed unexpectedly; it will be handled again',
      );
      await sleep(backoffDelay(unexpectedFailures++, DEAD_LETTER_RETRY));
      return 'abandoned';
    } finally {
      status.batchEnded(outcome === 'done');
    }
  };
}

type ConsumedBatchLetters = Parameters<DeadLetterProducer['send']>[0];
