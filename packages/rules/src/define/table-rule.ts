import { FreshenError } from '@freshen/runtime';
import type { KeyKind } from '@freshen/keys';
import type { StructureTarget } from './structure-targets.ts';
import type { Produced, RuleTarget } from './tag-targets.ts';

/** A row as a rule sees it: only the columns the rule declares. Values as decoded from the WAL. */
export type RuleRow<C extends string> = { readonly [N in C]: unknown };

/** What a rule is given: the operation and the rows, each null when Postgres sent none. */
export interface Change<C extends string, O extends string> {
  readonly op: 'insert' | 'update' | 'delete';
  /** The new row (insert, update); null for delete. */
  readonly new: RuleRow<C> | null;
  /**
   * The old row (update, delete): with the default replica identity only the primary key, and
   * on update only when the key changed; all columns with REPLICA IDENTITY FULL.
   */
  readonly old: RuleRow<O> | null;
}

export interface TableRuleSpec<C extends string, O extends string, K extends Produced> {
  /** Names the rule in errors and validation problems. Default: the table name. */
  name?: string;
  /** Columns of the new row the rule reads (validated against the table). */
  reads: readonly C[];
  /** Columns of the old row the rule reads; any outside the replica identity need REPLICA IDENTITY FULL. */
  readsOld?: readonly O[];
  /** Every key and tag kind the rule may target: TRUNCATE of the table invalidates all of them. */
  produces: readonly K[];
  /**
   * The keys a change makes stale, with their action. A plain function: unit-test it directly.
   * (NoInfer: column and kind types come from reads/produces, never widened by what keys returns.)
   */
  keys?: (change: Change<NoInfer<C>, NoInfer<O>>) => Iterable<NoInfer<RuleTarget<K>>>;
  /**
   * The structures (sorted sets, sets, hashes) a row belongs to: zset(), setMember(),
   * hashFields(). Run on the old row and on the new row of each change: the new row's
   * membership is added, the old row's that the new row no longer yields is removed. The old
   * row carries only its replica identity (the primary key by default, and no old row at all on
   * an update that keeps the key): membership decided by other columns needs REPLICA IDENTITY
   * FULL and those columns in readsOld. packages/rules/README.md, "Structures".
   */
  structures?: (
    row: RuleRow<NoInfer<C>>,
  ) => Iterable<StructureTarget<NoInfer<Extract<K, KeyKind>>>>;
}

export interface TableRule<
  C extends string = string,
  O extends string = string,
  K extends Produced = Produced,
> {
  readonly schema: string;
  readonly table: string;
  /** `schema.table`. */
  readonly qualified: string;
  readonly name: string;
  readonly reads: readonly C[];
  readonly readsOld: readonly O[];
  readonly produces: readonly K[];
  readonly keys: (change: Change<C, O>) => Iterable<RuleTarget<K>>;
  /** Present when the rule keeps structures (see TableRuleSpec.structures). */
  readonly structures?: (row: RuleRow<C>) => Iterable<StructureTarget<Extract<K, KeyKind>>>;
}

const QUALIFIED = /^([^.]+)\.([^.]+)$/;

/**
 * Declares the rule for one table (`schema.table`). Columns and kinds are inferred as literal
 * types, so the rule reads only declared columns and targets only declared kinds at compile time.
 */
export function tableRule<
  const C extends string,
  const K extends Produced,
  const O extends string = never,
>(qualified: string, spec: TableRuleSpec<C, O, K>): TableRule<C, O, K> {
  const match = QUALIFIED.exec(qualified);
  if (!match) {
    throw new FreshenError(
      'RULE_FAILED',
      `table ${JSON.stringify(qualified)} must be written 'schema.table', e.g. 'public.users'`,
    );
  }
  if (spec.produces.length === 0) {
    throw new FreshenError(
      'RULE_FAILED',
      `rule for ${qualified} produces no key kinds; list the kinds it targets in produces`,
    );
  }
  if (spec.keys === undefined && spec.structures === undefined) {
    throw new FreshenError(
      'RULE_FAILED',
      `rule for ${qualified} has neither keys nor structures; give it one of them`,
    );
  }
  return {
    schema: match[1]!,
    table: match[2]!,
    qualified,
    name: spec.name ?? match[2]!,
    reads: [...spec.reads],
    readsOld: [...(spec.readsOld ?? [])],
    produces: [...spec.produces],
    keys: spec.keys ?? (() => []),
    ...(spec.structures === undefined ? {} : { structures: spec.structures }),
  };
}
