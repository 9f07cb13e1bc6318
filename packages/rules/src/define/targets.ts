import type { KeyKind } from '@freshen/keys';
import { FreshenError } from '@freshen/runtime';

/**
 * Key parameters as a rule passes them: row values, checked when the key is built. A misspelt
 * or missing parameter name is a compile error; a `null` value means "no such key" (a NULL
 * email has no user-by-email entry) and the target is skipped.
 */
export type TargetParams<K extends KeyKind> =
  K extends KeyKind<string, infer P> ? { readonly [N in P[number]]: unknown } : never;

export interface RefreshOptions {
  /** How long the refreshed value lives, in ms (a positive integer). */
  ttlMs: number;
  /** Turns the value into the stored string. Default: JSON (bigints as decimal strings). */
  serialize?: (value: unknown) => string;
}

/**
 * One key a rule targets, with its action. `params` were type-checked against the kind when
 * invalidate()/refresh() built the target; here only the kind matters (it must be produced).
 */
export type Target<K extends KeyKind = KeyKind> =
  | {
      readonly action: 'delete';
      readonly kind: K;
      readonly params: Readonly<Record<string, unknown>>;
    }
  | {
      readonly action: 'refresh';
      readonly kind: K;
      readonly params: Readonly<Record<string, unknown>>;
      readonly value: unknown;
      readonly options: RefreshOptions;
    };

/** Delete the key (and its lease and version). The default action. */
export function invalidate<K extends KeyKind>(kind: K, params: TargetParams<K>): Target<K> {
  return { action: 'delete', kind, params };
}

/**
 * Set the key to `value` (computed from the new row) for `ttlMs`, guarded by the change's LSN.
 * Becomes a delete when the new row lacks a column the rule read (unchanged TOAST).
 */
export function refresh<K extends KeyKind>(
  kind: K,
  params: TargetParams<K>,
  value: unknown,
  options: RefreshOptions,
): Target<K> {
  if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs <= 0) {
    throw new FreshenError(
      'RULE_FAILED',
      `refresh of ${kind.name}: ttlMs must be a positive integer of milliseconds, got ${options.ttlMs}`,
    );
  }
  return { action: 'refresh', kind, params, value, options };
}

/** JSON with bigints as decimal strings (JSON.stringify throws on bigint). */
export function serializeJson(value: unknown): string {
  return JSON.stringify(value, (_name, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
}
