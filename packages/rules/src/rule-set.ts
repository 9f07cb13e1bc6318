import type { ChangeEvent } from '@freshen/change-event';
import type { CacheAction } from './cache-action.ts';
import type { TableRule } from './define/table-rule.ts';
import type { StructureAction } from './structure-action.ts';

/** The mapping from committed changes to cache actions that the invalidator runs. */
export interface RuleSet {
  /** `schema.table` of every table that has rules. */
  readonly tables: readonly string[];
  hasTable(schema: string, table: string): boolean;
  /**
   * The actions for an insert, update or delete: at most one per key, a refresh winning over
   * a delete of the same key. Throws FreshenError RULE_FAILED (naming table and rule) if a rule
   * throws, or if called with a truncate (use truncatePatterns). A refresh must not be built
   * from a column listed in `event.unavailable` (an unchanged TOAST value, or one left out of
   * an oversized event): return a delete of that key instead, so the next read loads the row.
   * defineRules does this for exactly the rules that read such a column.
   */
  evaluate(event: ChangeEvent): CacheAction[];
  /**
   * The structure member actions (ZADD/ZREM, SADD/SREM, HSET/HDEL) for an insert, update or
   * delete: at most one per structure key and member. Absent on rule sets that keep no
   * structures. Throws like evaluate.
   */
  evaluateStructures?(event: ChangeEvent): StructureAction[];
  /** SCAN MATCH patterns of every key and tag kind the table's rules produce (for TRUNCATE). */
  truncatePatterns(schema: string, table: string): string[];
}

/** A RuleSet made by defineRules: also describes its rules, so they can be validated. */
export interface DescribedRuleSet extends RuleSet {
  readonly rules: readonly TableRule[];
  evaluateStructures(event: ChangeEvent): StructureAction[];
}

export function isDescribedRuleSet(rules: RuleSet): rules is DescribedRuleSet {
  return Array.isArray((rules as Partial<DescribedRuleSet>).rules);
}
