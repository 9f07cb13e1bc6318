// The invalidator's apply path as a library, for `freshen dlq replay` (packages/cli): the same
// plan (decode, rules, last action per key) and the same Redis work (UNLINK with companions,
// version-guarded refresh, fenced truncate) as the batch processor, without its consumer loop.
import type { ConsumedMessage, DeadLetter } from '@freshen/kafka';
import type { RuleSet } from '@freshen/rules';
import type { Cluster, Redis } from 'ioredis';
import { planBatch } from './plan/batch-plan.ts';
import { RedisApplier } from './redis/redis-applier.ts';
import { truncateKeys } from './redis/truncate-keys.ts';

export { planBatch } from './plan/batch-plan.ts';
export {
  RedisApplier,
  type ApplyResult,
  type DeleteCommand,
  type RedisWork,
} from './redis/redis-applier.ts';
export type { StructureCommand } from './redis/structure-commands.ts';
export { asStructureType, structureMemberChunks } from './redis/structure-members.ts';

export interface AppliedMessages {
  deleted: number;
  refreshed: number;
  /** Refreshes refused because Redis already held the same or a newer version. */
  refused: number;
  /** Tags invalidated (their generation keys unlinked). */
  tagsInvalidated: number;
  /** Cache keys unlinked by truncates (structures are trimmed, not unlinked). */
  truncated: number;
  /** Messages of tables without rules. */
  skipped: number;
  /** Messages that still fail (undecodable, or a rule throws): nothing was applied for them. */
  failed: DeadLetter[];
}

export interface ApplyMessagesOptions {
  /**
   * Apply refreshes as deletes. For messages applied out of their partition's order (a dead
   * letter replayed later): a later change may have deleted the key, and with it the version
   * that would refuse this older value, so only a delete is safe. The next read loads the row.
   */
  refreshesAsDeletes?: boolean;
}

/**
 * Applies messages in order exactly as the invalidator would; resolves once Redis acknowledged
 * all of it. Safe to repeat: deletes are idempotent and refreshes version-guarded.
 */
export async function applyMessages(
  messages: readonly ConsumedMessage[],
  rules: RuleSet,
  redis: Redis | Cluster,
  options: ApplyMessagesOptions = {},
): Promise<AppliedMessages> {
  const plan = planBatch(messages, rules);
  const applier = new RedisApplier(redis);
  const result: AppliedMessages = {
    deleted: 0,
    refreshed: 0,
    refused: 0,
    tagsInvalidated: 0,
    truncated: 0,
    skipped: plan.skipped,
    failed: plan.deadLetters,
  };
  for (const step of plan.steps) {
    if (step.kind === 'apply') {
      const work = options.refreshesAsDeletes
        ? {
            ...step.work,
            deletes: [
              ...step.work.deletes,
              ...step.work.refreshes.map(({ key, version }) => ({
                key,
                version,
                refreshedBefore: false,
              })),
            ],
            refreshes: [],
            // Structure changes stay as they are: each is fenced by its member's version.
            ...(step.work.structures && { structures: step.work.structures }),
          }
        : step.work;
      const applied = await applier.apply(work);
      result.deleted += applied.deleted;
      result.refreshed += applied.refreshed;
      result.refused += applied.refused;
      result.tagsInvalidated += applied.tagsInvalidated;
    } else {
      const truncated = await truncateKeys(redis, step.patterns, {
        version: step.version,
        tombstoneTtlMs: applier.tombstoneTtlMs,
      });
      result.truncated += truncated.unlinked;
    }
  }
  return result;
}
