import type { KeyKind } from '@freshen/keys';
import type { TargetParams } from './targets.ts';

/** The Redis type a structure kind is kept as. */
export type StructureType = 'zset' | 'set' | 'hash';

/**
 * One structure a row belongs to, as a rule's `structures(row)` yields it. The invalidator runs
 * `structures` on the old row and on the new row of a change: what the new row yields is
 * added (or updated), what only the old row yields is removed. A `null` member or key
 * parameter means "not a member"; a `null` score or field value removes that member or field.
 */
export type StructureTarget<K extends KeyKind = KeyKind> =
  | {
      readonly structure: 'zset';
      readonly kind: K;
      readonly params: Readonly<Record<string, unknown>>;
      readonly member: unknown;
      readonly score: unknown;
    }
  | {
      readonly structure: 'set';
      readonly kind: K;
      readonly params: Readonly<Record<string, unknown>>;
      readonly member: unknown;
    }
  | {
      readonly structure: 'hash';
      readonly kind: K;
      readonly params: Readonly<Record<string, unknown>>;
      readonly fields: Readonly<Record<string, unknown>>;
    };

/**
 * Keep `member` in the sorted set `kind(params)` with `score` (a number, bigint or numeric
 * text): ZADD, and ZREM once the row no longer yields it (deleted, or it now yields another
 * member or key, or a null score).
 */
export function zset<K extends KeyKind>(
  kind: K,
  params: TargetParams<K>,
  member: unknown,
  score: unknown,
): StructureTarget<K> {
  return { structure: 'zset', kind, params, member, score };
}

/** Keep `member` in the set `kind(params)`: SADD, and SREM once the row no longer yields it. */
export function setMember<K extends KeyKind>(
  kind: K,
  params: TargetParams<K>,
  member: unknown,
): StructureTarget<K> {
  return { structure: 'set', kind, params, member };
}

/**
 * Keep these fields of the hash `kind(params)`: HSET of each field (strings as they are,
 * numbers and booleans as text, anything else as JSON), and HDEL of a field once the row no
 * longer yields it or yields it as null. Fields other rows or rules keep are left alone.
 */
export function hashFields<K extends KeyKind>(
  kind: K,
  params: TargetParams<K>,
  fields: Readonly<Record<string, unknown>>,
): StructureTarget<K> {
  return { structure: 'hash', kind, params, fields };
}
