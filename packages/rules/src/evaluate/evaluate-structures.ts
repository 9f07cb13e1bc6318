import type { ChangeEvent, Row } from '@freshen/change-event';
import type { KeyKind } from '@freshen/keys';
import { FreshenError } from '@freshen/runtime';
import type { StructureTarget, StructureType } from '../define/structure-targets.ts';
import type { RuleRow, TableRule } from '../define/table-rule.ts';
import { serializeJson } from '../define/targets.ts';
import { memberId, type StructureAction } from '../structure-action.ts';
import { buildKey, ruleFailed } from './evaluate-rule.ts';
import { rowView, type ReadTracker } from './row-view.ts';
import { ruleColumns, unavailableColumns } from './rule-columns.ts';

/**
 * One member a row yields: `value` is the text to store (score, field value; '' for a set),
 * null when the row yields the member with a null value (remove it), undefined when the value
 * came from a column Postgres did not send (unchanged TOAST: the stored value is still right).
 */
interface Yielded {
  structure: StructureType;
  key: string;
  member: string;
  value: string | null | undefined;
}

/**
 * Runs a rule's `structures` on the old and the new row of an insert/update/delete and adds
 * the resulting member actions to `byMember` (one per structure key and member, the last
 * wins): every member the new row yields is added (or, with a null value, removed); every
 * member only the old row yields is removed. `types` records which Redis type each kind is
 * kept as across the rule set, so one kind is never written as two types.
 */
export function evaluateStructures(
  rule: TableRule,
  event: ChangeEvent,
  byMember: Map<string, StructureAction>,
  types: Map<KeyKind, StructureType>,
): void {
  const structures = rule.structures;
  if (structures === undefined) return;
  const { reads, readsEither: oldColumns, where } = ruleColumns(rule);
  try {
    const newTracker: ReadTracker = { readUnavailable: false };
    const newRow = rowView(event.new, reads, unavailableColumns(event), newTracker, where);
    const yieldedNew = newRow ? collect(rule, structures(newRow as RuleRow<string>), types) : [];

    // The old row holds only the replica identity's columns. Reading any other column is
    // recorded (as `unavailable`), so a membership that hinged on it is reported, not guessed.
    const oldTracker: ReadTracker = { readUnavailable: false };
    const oldRow = rowView(event.old, oldColumns, absent(event.old, oldColumns), oldTracker, where);
    const yieldedOld = oldRow ? collect(rule, structures(oldRow as RuleRow<string>), types) : [];
    if (oldRow && yieldedOld.length === 0 && oldTracker.readUnavailable) {
      throw new FreshenError(
        'RULE_FAILED',
        `its structures yielded nothing for the old row after reading a column the old row does not carry, so the members to remove are unknown; set REPLICA IDENTITY FULL and list the column in readsOld`,
      );
    }

    const kept = new Set<string>();
    for (const item of yieldedNew) {
      const id = memberId(item);
      kept.add(id);
      if (item.value === undefined) continue;
      byMember.delete(id);
      byMember.set(id, toAction(item, item.value));
    }
    for (const item of yieldedOld) {
      const id = memberId(item);
      if (kept.has(id)) continue;
      byMember.delete(id);
      byMember.set(id, toAction(item, null));
    }
  } catch (error) {
    throw ruleFailed(where, event, error);
  }
}

function toAction(item: Yielded, value: string | null): StructureAction {
  const { structure, key, member } = item;
  return value === null
    ? { op: 'remove', structure, key, member }
    : { op: 'add', structure, key, member, value };
}

function absent(row: Row | null, columns: ReadonlySet<string>): Set<string> {
  return new Set([...columns].filter((column) => row !== null && !Object.hasOwn(row, column)));
}

function collect(
  rule: TableRule,
  targets: Iterable<StructureTarget>,
  types: Map<KeyKind, StructureType>,
): Yielded[] {
  const yielded: Yielded[] = [];
  for (const target of targets) {
    const { kind, structure } = target;
    if (!rule.produces.includes(kind)) {
      throw new FreshenError(
        'RULE_FAILED',
        `it keeps structure kind ${kind.name}, which is not in its produces list; add it there so TRUNCATE covers it`,
      );
    }
    const known = types.get(kind);
    if (known !== undefined && known !== structure) {
      throw new FreshenError(
        'RULE_FAILED',
        `key kind ${kind.name} is kept as a ${known} elsewhere and as a ${structure} here; use one kind per structure`,
      );
    }
    types.set(kind, structure);
    const key = buildKey(kind, target.params);
    if (key === undefined) continue;
    if (target.structure === 'hash') {
      for (const [field, value] of Object.entries(target.fields)) {
        yielded.push({ structure, key, member: field, value: valueText(kind, field, value) });
      }
      continue;
    }
    const member = memberText(kind, target.member);
    if (member === null) continue;
    const value = target.structure === 'set' ? '' : scoreText(kind, target.score);
    yielded.push({ structure, key, member, value });
  }
  return yielded;
}

function memberText(kind: KeyKind, member: unknown): string | null {
  if (member === null) return null;
  if (typeof member === 'string') return member;
  if (typeof member === 'bigint') return member.toString();
  if (typeof member === 'number' && Number.isFinite(member)) return String(member);
  if (member === undefined) {
    throw new FreshenError(
      'RULE_FAILED',
      `the member of ${kind.name} is undefined: the column was not in the change (an old-row column outside the primary key needs REPLICA IDENTITY FULL; run rules:validate)`,
    );
  }
  throw new FreshenError(
    'RULE_FAILED',
    `the member of ${kind.name} is a ${typeof member}; use a string, number or bigint`,
  );
}

function scoreText(kind: KeyKind, score: unknown): string | null | undefined {
  if (score === null || score === undefined) return score;
  if (typeof score === 'bigint') return score.toString();
  if (typeof score === 'number' && Number.isFinite(score)) return String(score);
  // Postgres numeric arrives as text, exactly.
  if (typeof score === 'string' && score.trim() !== '' && Number.isFinite(Number(score)))
    return score;
  throw new FreshenError(
    'RULE_FAILED',
    `the score for ${kind.name} is not a finite number; give a number, bigint or numeric text`,
  );
}

function valueText(kind: KeyKind, field: string, value: unknown): string | null | undefined {
  if (field === '') {
    throw new FreshenError('RULE_FAILED', `a field of hash ${kind.name} has an empty name`);
  }
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return serializeJson(value);
}
