import type { ChangeEvent } from '@freshen/change-event';
import type { KeyKind } from '@freshen/keys';
import { FreshenError } from '@freshen/runtime';
import type { CacheAction } from '../cache-action.ts';
import { evaluateRule } from '../evaluate/evaluate-rule.ts';
import { evaluateStructures } from '../evaluate/evaluate-structures.ts';
import type { StructureAction } from '../structure-action.ts';
import type { StructureType } from './structure-targets.ts';
import type { DescribedRuleSet } from '../rule-set.ts';
import type { TableRule } from './table-rule.ts';
import type { Produced } from './tag-targets.ts';

/** Combines table rules (several per table allowed) into the RuleSet the invalidator runs. */
export function defineRules(...rules: TableRule[]): DescribedRuleSet {
  const byTable = new Map<string, TableRule[]>();
  for (const rule of rules)
    byTable.set(rule.qualified, [...(byTable.get(rule.qualified) ?? []), rule]);
  const tables = [...byTable.keys()];
  const sharedKinds = kindsOfSeveralTables(byTable);
  const structureTypes = new Map<KeyKind, StructureType>();

  return {
    rules,
    tables,
    hasTable: (schema, table) => byTable.has(`${schema}.${table}`),
    evaluate(event: ChangeEvent): CacheAction[] {
      const tableRules = rulesForRow(byTable, event);
      const byKey = new Map<string, CacheAction>();
      for (const rule of tableRules) evaluateRule(rule, event, byKey, sharedKinds);
      return [...byKey.values()];
    },
    evaluateStructures(event: ChangeEvent): StructureAction[] {
      const tableRules = rulesForRow(byTable, event);
      const byMember = new Map<string, StructureAction>();
      for (const rule of tableRules) evaluateStructures(rule, event, byMember, structureTypes);
      return [...byMember.values()];
    },
    truncatePatterns(schema, table) {
      const kinds = new Set(
        (byTable.get(`${schema}.${table}`) ?? []).flatMap((rule) => rule.produces),
      );
      return [...new Set([...kinds].map((kind) => kind.pattern()))];
    },
  };
}

function rulesForRow(
  byTable: ReadonlyMap<string, TableRule[]>,
  event: ChangeEvent,
): readonly TableRule[] {
  const tableRules = byTable.get(`${event.schema}.${event.table}`);
  if (tableRules === undefined) return [];
  if (event.op === 'truncate') {
    throw new FreshenError(
      'RULE_FAILED',
      `evaluate() got a truncate of ${event.schema}.${event.table}; a truncate has no rows to map, invalidate truncatePatterns(schema, table) instead`,
    );
  }
  return tableRules;
}

/**
 * Key kinds that rules of more than one table target. Their refreshes are applied as deletes:
 * a refresh carries one row's value and version, and the other table's changes arrive in other
 * partitions, unordered with it, so a late refresh could overwrite what another table's delete
 * just made stale. A delete is right in any order.
 */
function kindsOfSeveralTables(byTable: ReadonlyMap<string, TableRule[]>): ReadonlySet<Produced> {
  const tablesOf = new Map<Produced, Set<string>>();
  for (const [table, rules] of byTable) {
    for (const kind of rules.flatMap((rule) => rule.produces)) {
      tablesOf.set(kind, (tablesOf.get(kind) ?? new Set()).add(table));
    }
  }
  return new Set([...tablesOf].filter(([, tables]) => tables.size > 1).map(([kind]) => kind));
}
