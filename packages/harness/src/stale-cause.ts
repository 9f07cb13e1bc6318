import { isDeepStrictEqual } from 'node:util';
import type { RunHistory } from './run-history.ts';

/**
 * Why a cached key disagrees with its row, as far as the key, the two values and the run's
 * history tell (first match in this order):
 * - text-form: the same values in another text form (a timestamp, number or id rendered
 *   differently from what the loader selects under the pinned session settings);
 * - truncated-row: holds a row that a TRUNCATE removed (a fill that began before the truncate);
 * - moved-row-key: the key of a row whose primary key moved away still holds that row;
 * - moved-row-reference: a lookup, list or hash still names a moved row by its old id;
 * - deleted-row: the row is gone and the key still holds it;
 * - negative-cached: "no such row" is cached but the row exists;
 * - hash-field: a hash (order) with a field that differs from the row;
 * - tagged-result: a query result cached with a tag (a category listing) that a reader would
 *   be served but that differs from the query run now (its tag was not fenced);
 * - structure-member: a structure the rules keep (leaderboard, member-id set) with a member
 *   missing, extra or scored differently from the table;
 * - older-value: a profile whose updated_at is older than the row's;
 * - list-differs: a list with rows missing, extra or changed;
 * - value-differs: anything else.
 */
export const STALE_CAUSES = [
  'text-form',
  'truncated-row',
  'moved-row-key',
  'moved-row-reference',
  'deleted-row',
  'negative-cached',
  'hash-field',
  'tagged-result',
  'structure-member',
  'older-value',
  'list-differs',
  'value-differs',
] as const;
export type StaleCause = (typeof STALE_CAUSES)[number];

/** The example kinds the check reads, by name. */
export type CheckedKindName =
  | 'user'
  | 'user-by-email'
  | 'team'
  | 'team-members'
  | 'product'
  | 'product-by-sku'
  | 'user-orders'
  | 'order'
  | 'category-products';

export function classifyStale(stale: {
  kind: CheckedKindName;
  params: Record<string, string>;
  cached: unknown;
  actual: unknown;
  history: RunHistory;
}): StaleCause {
  const { kind, params, cached, actual, history } = stale;
  if (isDeepStrictEqual(normalized(cached), normalized(actual))) return 'text-form';
  if (holdsTruncatedRow(stale)) return 'truncated-row';
  // A query result: whatever changed in it, its tag should have fenced it.
  if (kind === 'category-products') return 'tagged-result';
  const moved = (id: unknown) => typeof id === 'string' && history.movedUsers.has(id);
  const rows = (value: unknown) =>
    Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  if (kind === 'user' && moved(params.id) && cached !== null) return 'moved-row-key';
  if (kind === 'user-orders' && moved(params.user_id) && rows(cached).length > 0)
    return 'moved-row-key';
  if (kind === 'user-by-email' && moved(cached)) return 'moved-row-reference';
  if (kind === 'team-members' && rows(cached).some((member) => moved(member.user_id)))
    return 'moved-row-reference';
  if (kind === 'order' && moved((cached as Record<string, unknown> | null)?.user_id))
    return 'moved-row-reference';
  const empty = (value: unknown) => value === null || (Array.isArray(value) && value.length === 0);
  if (empty(actual) && !empty(cached)) return 'deleted-row';
  if (cached === null && actual !== null) return 'negative-cached';
  if (kind === 'order') return 'hash-field';
  if (kind === 'user') {
    const [before, now] = [cached, actual] as ({ updated_at?: string } | null)[];
    if (before?.updated_at && now?.updated_at && before.updated_at < now.updated_at)
      return 'older-value';
  }
  if (Array.isArray(cached) || Array.isArray(actual)) return 'list-differs';
  return 'value-differs';
}

function holdsTruncatedRow(stale: {
  kind: CheckedKindName;
  params: Record<string, string>;
  cached: unknown;
  actual: unknown;
  history: RunHistory;
}): boolean {
  const { kind, params, cached, actual, history } = stale;
  const now = Array.isArray(actual) ? (actual as unknown[]) : [actual];
  const gone = (row: unknown) => !now.some((current) => isDeepStrictEqual(current, row));
  if (kind === 'order' || kind === 'user-orders') {
    const held = Array.isArray(cached) ? (cached as unknown[]) : [cached];
    return held.some(
      (row) =>
        history.truncatedOrders.has(String((row as { id?: unknown } | null)?.id)) && gone(row),
    );
  }
  if (kind === 'team-members' && Array.isArray(cached)) {
    return (cached as { user_id: string }[]).some(
      (member) =>
        history.truncatedMemberships.has(`${params.team_id}:${member.user_id}`) && gone(member),
    );
  }
  return false;
}

/**
 * Values with their text forms made comparable: timestamps as epoch milliseconds (so a value
 * that lost its microseconds or its offset form still compares equal here) and numeric text as
 * numbers. Used only to tell a text-form difference from a different value.
 */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .map(([field, inner]) => [field, normalized(inner)] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  if (typeof value === 'string') {
    const time = TIMESTAMP.exec(value);
    if (time) {
      const [, date, clock, fraction = '', zone = 'Z'] = time;
      const offset = zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone;
      const ms = Date.parse(`${date}T${clock}${fraction.slice(0, 4)}${offset}`);
      if (Number.isFinite(ms)) return `time:${ms}`;
    }
    if (NUMERIC.test(value)) return Number(value);
  }
  return value;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d(?::?\d\d)?)?$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;
