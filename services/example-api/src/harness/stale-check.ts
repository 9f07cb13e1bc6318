import { isDeepStrictEqual } from 'node:util';
import { decodeHashMeta, decodeStoredValue, HASH_META_FIELD } from '@freshen/storage';
import type { ExampleKeys } from '@freshen/example';
import type { Redis } from 'ioredis';
import type { ExampleStore } from '../data/example-store.ts';

interface CheckedKind {
  pattern(): string;
  parse(key: string): Record<string, string> | undefined;
}

export interface StaleKey {
  key: string;
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
 * now. Run it when nothing writes and the pipeline has drained: then any difference is a stale
 * value that stays until its TTL (DESIGN.md, "Measuring it").
 */
export async function findStaleKeys(
  redis: Redis,
  keys: ExampleKeys,
  store: ExampleStore,
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
    for (const key of await scanAll(redis, kind.pattern())) {
      const params = kind.parse(key);
      if (!params) continue;
      const cached = await readCached(redis, key);
      if (cached === undefined) continue; // expired since the scan
      report.checked++;
      let expected = await actual(params);
      if (cached.hashFields && expected !== null) {
        // A hash holds the fields it was filled with; compare those.
        expected = Object.fromEntries(
          Object.entries(expected as object).filter(([field]) => field in (cached.value as object)),
        );
      }
      if (!isDeepStrictEqual(cached.value, expected))
        report.stale.push({ key, cached: cached.value, actual: expected });
    }
  }
  return report;
}

async function scanAll(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

async function readCached(
  redis: Redis,
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
