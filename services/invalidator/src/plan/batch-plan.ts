import { decodeEvent, type ChangeEvent } from '@freshen/change-event';
import type { ConsumedMessage, DeadLetter } from '@freshen/kafka';
import type { CacheAction, RuleSet, StructureAction } from '@freshen/rules';
import { FreshenError, isFreshenError } from '@freshen/runtime';
import { eventVersion } from '@freshen/storage';
import type { DeleteCommand, RedisWork, RefreshCommand } from '../redis/redis-applier.ts';
import { StructureSegment } from './structure-segment.ts';

/** Redis work between truncates, or one truncate; applied in this order. */
export type PlanStep =
  | { kind: 'apply'; work: RedisWork }
  | {
      kind: 'truncate';
      schema: string;
      table: string;
      patterns: string[];
      /** eventVersion(truncate): structures keep the members changed after it. */
      version: string;
    };

export interface BatchPlan {
  steps: PlanStep[];
  /** Messages to dead-letter (before committing past them). */
  deadLetters: DeadLetter[];
  /** Events of tables that have no rules. */
  skipped: number;
  /** Commit timestamps (ms) of the events whose actions the steps carry, for the lag histogram. */
  commitTimes: number[];
}

/**
 * Turns a partition's batch into Redis work, in order. Within a segment (between truncates)
 * only each key's LAST action matters: a later delete wins over an earlier refresh, a later
 * refresh (newer LSN: one partition is in commit order) over anything before it. A message
 * that cannot be decoded, or whose rule throws, becomes a dead letter; the batch goes on.
 */
export function planBatch(messages: readonly ConsumedMessage[], rules: RuleSet): BatchPlan {
  const plan: BatchPlan = { steps: [], deadLetters: [], skipped: 0, commitTimes: [] };
  let segment = new Map<string, Planned>();
  let structures = new StructureSegment();
  const closeSegment = () => {
    if (segment.size === 0 && structures.size === 0) return;
    plan.steps.push({
      kind: 'apply',
      work: {
        ...toWork(segment),
        ...(structures.size > 0 && { structures: structures.commands() }),
      },
    });
    segment = new Map();
    structures = new StructureSegment();
  };

  for (const message of messages) {
    let event: ChangeEvent;
    try {
      event = decodeEvent(message.value);
    } catch (error) {
      plan.deadLetters.push(deadLetter(message, error, 'EVENT_UNDECODABLE'));
      continue;
    }
    if (!rules.hasTable(event.schema, event.table)) {
      plan.skipped++;
      continue;
    }
    if (event.op === 'truncate') {
      let patterns: string[];
      try {
        patterns = rules.truncatePatterns(event.schema, event.table);
      } catch (error) {
        plan.deadLetters.push(deadLetter(message, error, 'RULE_FAILED'));
        continue;
      }
      closeSegment();
      plan.steps.push({
        kind: 'truncate',
        schema: event.schema,
        table: event.table,
        patterns,
        version: eventVersion(event),
      });
      plan.commitTimes.push(event.ts);
      continue;
    }
    let actions: CacheAction[];
    let memberActions: StructureAction[];
    try {
      actions = rules.evaluate(event);
      checkActions(actions, event);
      memberActions = rules.evaluateStructures?.(event) ?? [];
    } catch (error) {
      plan.deadLetters.push(deadLetter(message, error, 'RULE_FAILED'));
      continue;
    }
    // Columns the event lacks (`unavailable`) are the rule set's concern (RuleSet.evaluate):
    // it knows which of its refreshes read them.
    const version = eventVersion(event);
    for (const action of actions) {
      const earlier = segment.get(action.key);
      const refreshedBefore =
        earlier !== undefined && (earlier.kind === 'refresh' || earlier.refreshedBefore);
      // Keys are independent, so the segment's order does not matter: set in place (a delete
      // and re-insert per repeated key would churn the Map's hash table on a hot row).
      segment.set(action.key, { ...action, version, refreshedBefore });
    }
    structures.add(memberActions, version);
    plan.commitTimes.push(event.ts);
  }
  closeSegment();
  return plan;
}

/** Redis would refuse these with an error on every retry, stalling the partition: dead-letter them instead. */
function checkActions(actions: CacheAction[], event: ChangeEvent): void {
  for (const action of actions) {
    if (typeof action.key !== 'string' || action.key === '') {
      throw new FreshenError(
        'RULE_FAILED',
        `a rule for ${event.schema}.${event.table} returned an action without a key; return keys built by @freshen/keys`,
      );
    }
    if (
      action.kind === 'refresh' &&
      (!Number.isSafeInteger(action.ttlMs) || action.ttlMs <= 0 || typeof action.value !== 'string')
    ) {
      throw new FreshenError(
        'RULE_FAILED',
        `a refresh rule for ${event.schema}.${event.table} returned ttlMs=${String(action.ttlMs)} or a non-string value; a refresh needs a serialized value and a positive integer ttlMs`,
      );
    }
  }
}

/** A key's last action in a segment; `refreshedBefore`: an earlier action of the segment refreshed it. */
type Planned = CacheAction & { version: string; refreshedBefore: boolean };

function toWork(segment: Map<string, Planned>): RedisWork {
  const deletes: DeleteCommand[] = [];
  const refreshes: RefreshCommand[] = [];
  const tags: string[] = [];
  for (const action of segment.values()) {
    const { key, version } = action;
    if (action.kind === 'invalidate-tag') tags.push(key);
    else if (action.kind === 'delete')
      deletes.push({ key, version, refreshedBefore: action.refreshedBefore });
    else refreshes.push({ key, value: action.value, ttlMs: action.ttlMs, version });
  }
  return tags.length > 0 ? { deletes, refreshes, tags } : { deletes, refreshes };
}

function deadLetter(
  message: ConsumedMessage,
  error: unknown,
  fallback: 'EVENT_UNDECODABLE' | 'RULE_FAILED',
): DeadLetter {
  const known = isFreshenError(error)
    ? error
    : // Not one of Freshen's own messages, so it may quote row values: dead letter only.
      new FreshenError(
        fallback,
        `${(error as Error)?.name ?? typeof error} while processing the message`,
        {
          detail: (error as Error)?.message ?? String(error),
        },
      );
  return {
    message,
    errorCode: known.code,
    errorMessage: known.message,
    ...(known.detail === undefined ? {} : { errorDetail: known.detail }),
  };
}
