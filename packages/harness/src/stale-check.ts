import { isDeepStrictEqual } from 'node:util';
import { generationsCurrent, type RedisClient } from '@freshen/cache';
import {
  decodeHashMeta,
  decodeStoredValue,
  decodeTaggedPayload,
  HASH_META_FIELD,
} from '@freshen/storage';
import { type ExampleKeys, type ExampleStore } from '@freshen/example';
import { scanKeys } from './keyspace-scan.ts';
import { RunHistory } from './run-history.ts';
import { classifyStale, type CheckedKindName, type StaleCause } from './stale-cause.ts';

interface CheckedKind {
  name: string;
  pattern(): string;
  parse(key: string): Record<string, string> | undefined;
}

export interface StaleKey {
  key: string;
  cause: StaleCause;
  cached: unknown;
  actual: unknown;
}

export interface StaleReport {
  /** Cached keys compared with their rows (tagged results a reader would be served included). */
  checked: number;
  /** Tagged results left out: their tag was invalidated, so a reader misses and reloads. */
  taggedNotServed: number;
  /** Structures the rules keep, compared member by member with the table. */
  structuresChecked: number;
  /** Keys whose cached value differs from what the database says now. */
  stale: StaleKey[];
}

/**
 * Compares every cached key of the example keyspace with what its loader reads from Postgres
 * now, exactly (JSON values, text form included; a hash must hold every field of the row as
 * its fill wrote them). Run it when nothing writes and the pipeline has drained: then any
 * difference is a stale value that stays until its TTL (docs/architecture.md, "Measuring it"). Each stale
 * key is given a cause from its kind, both values and `history` (see stale-cause.ts).
 */
export async function findStaleKeys(
  redis: RedisClient,
  keys: ExampleKeys,
  store: ExampleStore,
  history: RunHistory = new RunHistory(),
): Promise<StaleReport> {
  const checks: {
    kind: CheckedKind;
    actual: (params: Record<string, string>) => Promise<unknown>;
  }[] = [
    { kind: keys.user, actual: (p) => store.user(p.id!) },
    { kind: keys.userByEmail, actual: (p) => store.userIdByEmail(p.email!) },
    { kind: keys.team, actual: (p) => store.team(p.id!) },
    { kind: keys.teamMembers, actual: (p) => store.teamMembers(p.team_id!) },
    { kind: keys.product, actual: (p) => store.product(p.id!) },
    { kind: keys.productBySku, actual: (p) => store.productBySku(p.sku!) },
    { kind: keys.userOrders, actual: (p) => store.userOrders(p.user_id!) },
    { kind: keys.order, actual: (p) => store.order(p.id!) },
    { kind: keys.categoryProducts, actual: (p) => store.categoryProducts(p.category_id!) },
  ];
  const report: StaleReport = { checked: 0, taggedNotServed: 0, structuresChecked: 0, stale: [] };
  for (const { kind, actual } of checks) {
    for (const key of await scanKeys(redis, kind.pattern())) {
      const params = kind.parse(key);
      if (!params) continue;
      const cached = await readCached(redis, key);
      if (cached === undefined) continue; // expired since the scan
      if (cached === 'tag-invalidated') {
        report.taggedNotServed++;
        continue;
      }
      report.checked++;
      // A hash is filled with the whole row (every field), so it is compared with the whole row.
      const expected = await actual(params);
      if (!isDeepStrictEqual(cached.value, expected)) {
        const cause = classifyStale({
          kind: kind.name as CheckedKindName,
          params,
          cached: cached.value,
          actual: expected,
          history,
        });
        report.stale.push({ key, cause, cached: cached.value, actual: expected });
      }
    }
  }
  await compareStructures(redis, keys, store, report);
  return report;
}

/**
 * The structures the example rules keep, against the tables they are kept from: the
 * leaderboard (every product, scored by units sold) and each team's member-id set (teams
 * with members; a team without any has no set).
 */
async function compareStructures(
  redis: RedisClient,
  keys: ExampleKeys,
  store: ExampleStore,
  report: StaleReport,
): Promise<void> {
  const leaderboardKey = keys.productsByUnitsSold.key({});
  const flat = await redis.zrange(leaderboardKey, 0, -1, 'WITHSCORES');
  const cached: Record<string, number> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) cached[flat[i]!] = Number(flat[i + 1]);
  const actual = Object.fromEntries(await store.unitsSoldByProduct());
  report.structuresChecked++;
  if (!isDeepStrictEqual(sortedEntries(cached), sortedEntries(actual)))
    report.stale.push({ key: leaderboardKey, cause: 'structure-member', cached, actual });

  for (const key of await scanKeys(redis, keys.teamMemberIds.pattern())) {
    const params = keys.teamMemberIds.parse(key);
    if (!params) continue;
    const members = (await redis.smembers(key)).sort();
    const expected = (await store.teamMemberIds(params.team_id)).sort();
    report.structuresChecked++;
    if (!isDeepStrictEqual(members, expected))
      report.stale.push({ key, cause: 'structure-member', cached: members, actual: expected });
  }
  // A team whose rows exist but whose set does not (the rules never added its members).
  for (const teamId of await store.teamsWithMembers()) {
    const key = keys.teamMemberIds.key({ team_id: teamId });
    if ((await redis.exists(key)) === 1) continue;
    report.structuresChecked++;
    report.stale.push({
      key,
      cause: 'structure-member',
      cached: [],
      actual: await store.teamMemberIds(teamId),
    });
  }
}

const sortedEntries = (record: Record<string, number>) =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * A cached key's value as a reader would be served it; 'tag-invalidated' for a tagged value
 * whose tags moved since its fill (every reader misses it), undefined when the key is gone.
 */
async function readCached(
  redis: RedisClient,
  key: string,
): Promise<{ value: unknown; hashFields: boolean } | 'tag-invalidated' | undefined> {
  const type = await redis.type(key);
  if (type === 'string') {
    const text = await redis.get(key);
    if (text === null) return undefined;
    const { payload } = decodeStoredValue(text);
    const tagged = decodeTaggedPayload(payload);
    if (tagged && !(await generationsCurrent(redis, tagged.tags))) return 'tag-invalidated';
    return { value: JSON.parse(tagged?.payload ?? payload) as unknown, hashFields: false };
  }
  if (type === 'hash') {
    const { [HASH_META_FIELD]: meta, ...fields } = await redis.hgetall(key);
    if (meta === undefined) return undefined;
    if (decodeHashMeta(meta).absent) return { value: null, hashFields: true };
    return {
      value: Object.fromEntries(
        Object.entries(fields).map(([field, text]) => [field, JSON.parse(text) as unknown]),
      ),
      hashFields: true,
    };
  }
  return undefined;
}
