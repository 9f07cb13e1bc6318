import type { ChangeEvent } from '@freshen/change-event';
import { FreshenError } from '@freshen/runtime';
import type { CacheAction } from '../cache-action.ts';
import type { Change, TableRule } from '../define/table-rule.ts';
import type { Produced, RuleTarget } from '../define/tag-targets.ts';
import { serializeJson } from '../define/targets.ts';
import { rowView, type ReadTracker } from './row-view.ts';
import { NO_COLUMNS, ruleColumns, unavailableColumns } from './rule-columns.ts';

/**
 * Runs one table rule on an insert/update/delete and adds its actions to `byKey` (one per key;
 * a refresh replaces a delete of the same key, because it carries the newest row). Refreshes of
 * `deleteOnly` kinds (targeted by rules of several tables) are applied as deletes.
 */
export function evaluateRule(
  rule: TableRule,
  event: ChangeEvent,
  byKey: Map<string, CacheAction>,
  deleteOnly: ReadonlySet<Produced> = new Set(),
): void {
  const { reads, readsOld, where } = ruleColumns(rule);
  try {
    const tracker: ReadTracker = { readUnavailable: false };
    const change = {
      op: event.op,
      new: rowView(event.new, reads, unavailableColumns(event), tracker, where),
      old: rowView(event.old, readsOld, NO_COLUMNS, tracker, where),
    } as Change<string, string>;
    const targets = [...rule.keys(change)];
    for (const target of targets) {
      const action = toAction(rule, target, tracker, deleteOnly);
      if (action === undefined) continue;
      if (action.kind === 'delete' && byKey.has(action.key)) continue;
      byKey.set(action.key, action);
    }
  } catch (error) {
    throw ruleFailed(where, event, error);
  }
}

/**
 * Freshen's own messages (an undeclared column, a missing parameter) name columns and kinds
 * only, so they may be logged. A rule's own exception may quote row values (an email was seen
 * in a log): its text goes only into `detail`, for the dead-letter topic, and it is not kept
 * as the cause, which a logger's error serializer would print.
 */
export function ruleFailed(where: string, event: ChangeEvent, error: unknown): FreshenError {
  const at = `${where} failed on ${event.op} at LSN ${event.lsn}`;
  if (error instanceof FreshenError)
    return new FreshenError('RULE_FAILED', `${at}: ${error.message}`);
  const name = error instanceof Error ? error.name : typeof error;
  return new FreshenError(
    'RULE_FAILED',
    `${at}: the rule threw ${name} (its message may hold row values, so it is only in the dead letter)`,
    { detail: error instanceof Error ? error.message : String(error) },
  );
}

function toAction(
  rule: TableRule,
  target: RuleTarget,
  tracker: ReadTracker,
  deleteOnly: ReadonlySet<Produced>,
): CacheAction | undefined {
  if (!rule.produces.includes(target.kind)) {
    throw new FreshenError(
      'RULE_FAILED',
      `it targets key kind ${target.kind.name}, which is not in its produces list; add it there so TRUNCATE covers it`,
    );
  }
  const key = buildKey(target.kind, target.params);
  if (key === undefined) return undefined;
  if (target.action === 'invalidate-tag') return { kind: 'invalidate-tag', key };
  // A value computed while a column was unavailable (unchanged TOAST) is incomplete: delete instead.
  if (target.action === 'delete' || tracker.readUnavailable || deleteOnly.has(target.kind))
    return { kind: 'delete', key };
  const value = (target.options.serialize ?? serializeJson)(target.value);
  if (typeof value !== 'string') {
    throw new FreshenError(
      'RULE_FAILED',
      `the refresh value for ${target.kind.name} did not serialize to a string`,
    );
  }
  return { kind: 'refresh', key, value, ttlMs: target.options.ttlMs };
}

/** The key, or undefined when a parameter is NULL (no key exists for a NULL value). */
export function buildKey(
  kind: Produced,
  params: Readonly<Record<string, unknown>>,
): string | undefined {
  for (const param of kind.params) {
    const value = params[param];
    if (value === null) return undefined;
    if (value === undefined) {
      throw new FreshenError(
        'RULE_FAILED',
        `parameter ${param} of ${'isTag' in kind ? 'tag' : 'key'} kind ${kind.name} is undefined: the column was not in the change` +
          ' (an old-row column outside the primary key needs REPLICA IDENTITY FULL; run rules:validate)',
      );
    }
  }
  return kind.key(params as Parameters<Produced['key']>[0]);
}
