import { isDeepStrictEqual } from 'node:util';
import type { RedisClient } from '@freshen/cache';
import { decodeHashMeta, decodeStoredValue, HASH_META_FIELD } from '@freshen/storage';
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
  /** Cached keys compared with their rows. */
  checked: number;
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
  ];
  const report: StaleReport = { checked: 0, stale: [] };
  for (const { kind, actual } of checks) {
    for (const key of await scanKeys(redis, kind.pattern())) {
      const params = kind.parse(key);
      if (!params) continue;
      const cached = await readCached(redis, key);
      if (cached === undefined) continue; // expired since the scan
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
  return report;
}

async function readCached(
  redis: RedisClient,
  key: string,
): Promise<{ value: unknown; hashFields: boolean } | undefined> {
  const type = await redis.type(key);
  if (type === 'string') {
    const text = await redis.get(key);
    return text === null
      ? undefined
      : { value: JSON.parse(decodeStoredValue(text).payload) as unknown, hashFields: false };
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
