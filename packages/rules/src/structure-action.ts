import type { StructureType } from './define/structure-targets.ts';

/**
 * What the invalidator does with one member of a structure kept by rules (a hash's member is
 * one field), guarded by the member's version (apply-structure-member.lua in @freshen/storage).
 */
export type StructureAction =
  /** ZADD member with score `value`, SADD member, or HSET field to `value`. */
  | { op: 'add'; structure: StructureType; key: string; member: string; value: string }
  /** ZREM, SREM or HDEL, leaving the member's version as its tombstone. */
  | { op: 'remove'; structure: StructureType; key: string; member: string };

/** The Redis command a structure action amounts to: the label of its metrics. */
export type StructureCommandName = 'zadd' | 'zrem' | 'sadd' | 'srem' | 'hset' | 'hdel';

const COMMANDS: Record<StructureType, Record<StructureAction['op'], StructureCommandName>> = {
  zset: { add: 'zadd', remove: 'zrem' },
  set: { add: 'sadd', remove: 'srem' },
  hash: { add: 'hset', remove: 'hdel' },
};

export const STRUCTURE_COMMANDS: readonly StructureCommandName[] = [
  'zadd',
  'zrem',
  'sadd',
  'srem',
  'hset',
  'hdel',
];

export function structureCommand(
  action: Pick<StructureAction, 'op' | 'structure'>,
): StructureCommandName {
  return COMMANDS[action.structure][action.op];
}

/** Identifies one member of one structure, e.g. within a batch (it is not a Redis key). */
export function memberId(action: Pick<StructureAction, 'key' | 'member'>): string {
  return JSON.stringify([action.key, action.member]);
}
