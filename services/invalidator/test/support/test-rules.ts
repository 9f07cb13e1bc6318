import type { ChangeEvent } from '@freshen/change-event';
import { defineKeyspace } from '@freshen/keys';
import type { CacheAction, RuleSet } from '@freshen/rules';
import { FreshenError } from '@freshen/runtime';

/**
 * A small RuleSet for tests, written straight against the RuleSet interface so these tests
 * pin the invalidator's behaviour and not the rules DSL. Table `<schema>.items`:
 * - the row's `item` key: refresh with the row as JSON when `new.mode` is 'refresh' and no
 *   column is unavailable (RuleSet's contract), else delete;
 * - fan-out: every `group` key listed in `new.groups` (or `old.groups`) is deleted;
 * - `new.explode` makes the rule throw (dead-letter tests).
 */
export function testRules(prefix: string, schema = 'app') {
  const space = defineKeyspace({ prefix });
  const item = space.kind('item', ['id'] as const);
  const group = space.kind('group', ['name'] as const);
  const table = `${schema}.items`;
  const rules: RuleSet = {
    tables: [table],
    hasTable: (s, t) => `${s}.${t}` === table,
    evaluate(event: ChangeEvent): CacheAction[] {
      const row = (event.new ?? event.old ?? {}) as Record<string, unknown>;
      if (row.explode)
        throw new FreshenError('RULE_FAILED', `rule items threw: explode (${table})`);
      const id = event.key.id as string | number;
      const actions: CacheAction[] = [];
      if (event.op !== 'delete' && row.mode === 'refresh' && event.unavailable.length === 0) {
        actions.push({
          kind: 'refresh',
          key: item.key({ id }),
          value: JSON.stringify(row),
          ttlMs: 60_000,
        });
      } else {
        actions.push({ kind: 'delete', key: item.key({ id }) });
      }
      for (const name of (row.groups as string[] | undefined) ?? []) {
        actions.push({ kind: 'delete', key: group.key({ name }) });
      }
      return actions;
    },
    truncatePatterns: (s, t) => (`${s}.${t}` === table ? [item.pattern(), group.pattern()] : []),
  };
  return { rules, item, group, schema };
}
