import { encodeEvent, type ChangeEvent } from '@freshen/change-event';
import type { RuleSet } from '@freshen/rules';
import type { Cluster, Redis } from 'ioredis';
import { planBatch } from '../../src/plan/batch-plan.ts';
import type { RedisApplier } from '../../src/redis/redis-applier.ts';
import {
  addStructureTally,
  emptyStructureTally,
  type StructureTally,
} from '../../src/redis/structure-commands.ts';
import { truncateKeys, type TruncateResult } from '../../src/redis/truncate-keys.ts';

export interface AppliedEvents {
  tally: StructureTally;
  /** One result per truncate step, in order. */
  truncates: TruncateResult[];
}

/**
 * Applies the events as one partition's invalidator would, in batches of `batchSize` messages
 * (all at once by default): the batch plan, then each step, a truncate with the applier's
 * tombstone TTL. Fails the test on a dead letter.
 */
export async function applyEvents(
  events: readonly ChangeEvent[],
  options: { rules: RuleSet; redis: Redis | Cluster; applier: RedisApplier; batchSize?: number },
): Promise<AppliedEvents> {
  const { rules, redis, applier } = options;
  const batchSize = options.batchSize ?? events.length;
  const applied: AppliedEvents = { tally: emptyStructureTally(), truncates: [] };
  for (let start = 0; start < events.length; start += batchSize) {
    const messages = events.slice(start, start + batchSize).map((event, index) => ({
      key: null,
      value: Buffer.from(encodeEvent(event)),
      topic: 't',
      partition: 0,
      offset: String(start + index),
      timestamp: event.ts,
    }));
    const plan = planBatch(messages, rules);
    if (plan.deadLetters.length > 0) throw new Error(`dead letters: ${plan.deadLetters.length}`);
    for (const step of plan.steps) {
      if (step.kind === 'apply') {
        addStructureTally(applied.tally, (await applier.apply(step.work)).structures);
      } else {
        applied.truncates.push(
          await truncateKeys(redis, step.patterns, {
            version: step.version,
            tombstoneTtlMs: applier.tombstoneTtlMs,
          }),
        );
      }
    }
  }
  return applied;
}
