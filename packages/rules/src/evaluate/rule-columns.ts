import type { ChangeEvent } from '@freshen/change-event';
import type { TableRule } from '../define/table-rule.ts';

/** What evaluating a rule needs of it on every change, worked out once per rule. */
export interface RuleColumns {
  /** Columns of the new row it reads. */
  reads: ReadonlySet<string>;
  /** Columns of the old row it reads. */
  readsOld: ReadonlySet<string>;
  /** Both: what a structure rule may read of the old row. */
  readsEither: ReadonlySet<string>;
  /** "rule 'name' for schema.table", for error messages. */
  where: string;
}

// The invalidator evaluates rules on every change of a busy table: building these sets and
// this text per change was a measurable share of its CPU and garbage.
const byRule = new WeakMap<TableRule, RuleColumns>();

export function ruleColumns(rule: TableRule): RuleColumns {
  let columns = byRule.get(rule);
  if (columns === undefined) {
    columns = {
      reads: new Set(rule.reads),
      readsOld: new Set(rule.readsOld),
      readsEither: new Set([...rule.reads, ...rule.readsOld]),
      where: `rule '${rule.name}' for ${rule.qualified}`,
    };
    byRule.set(rule, columns);
  }
  return columns;
}

/** An empty column set, shared. */
export const NO_COLUMNS: ReadonlySet<string> = new Set();

/** The event's unavailable (unchanged TOAST) columns; most events have none. */
export function unavailableColumns(event: ChangeEvent): ReadonlySet<string> {
  return event.unavailable.length === 0 ? NO_COLUMNS : new Set(event.unavailable);
}
