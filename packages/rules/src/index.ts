export type { CacheAction } from './cache-action.ts';
export {
  memberId,
  STRUCTURE_COMMANDS,
  structureCommand,
  type StructureAction,
  type StructureCommandName,
} from './structure-action.ts';
export {
  hashFields,
  setMember,
  zset,
  type StructureTarget,
  type StructureType,
} from './define/structure-targets.ts';
export { defineRules } from './define/define-rules.ts';
export {
  tableRule,
  type Change,
  type RuleRow,
  type TableRule,
  type TableRuleSpec,
} from './define/table-rule.ts';
export {
  invalidate,
  refresh,
  serializeJson,
  type RefreshOptions,
  type Target,
  type TargetParams,
} from './define/targets.ts';
export {
  invalidateTag,
  type Produced,
  type RuleTarget,
  type TagTarget,
  type TagTargetParams,
} from './define/tag-targets.ts';
export { isDescribedRuleSet, type DescribedRuleSet, type RuleSet } from './rule-set.ts';
export {
  assertRulesValid,
  validateRules,
  type ValidateOptions,
} from './validation/validate-rules.ts';
export type { ValidationProblem } from './validation/validation-problem.ts';
export { loadRuleSet, type LoadRuleSetOptions } from './loading/load-rule-set.ts';
