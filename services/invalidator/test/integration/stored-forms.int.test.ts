import { CacheClient } from '@freshen/cache';
import { withCompanions } from '@freshen/keys';
import { decodeStoredValue, eventVersion, storedPayload } from '@freshen/storage';
import { redisTopologies, uniqueName, useCleanup } from '@freshen/test-kit';
import { Cluster, type Redis } from 'ioredis';
import { RedisApplier } from '../../src/redis/redis-applier.ts';
import { removeTestKeys } from '../support/test-keys.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();

const topologies = redisTopologies(cleanup);

const countExisting = async (redis: Redis | Cluster, keys: string[]) => {
  let present = 0;
  for (const key of keys) present += await redis.exists(key);
  return present;
};

/**
 * Both sides of the storage contract (@freshen/storage): what the invalidator writes, the
 * cache reads; what the cache fills, the invalidator removes with every companion.
 */
describe.each(topologies)('the stored forms on %s', (_name, connect) => {
  const prefix = uniqueName('forms');
  const { item } = testRules(prefix);
  let redis: Redis | Cluster;
  let applier: RedisApplier;
  let cache: CacheClient;

  beforeAll(() => {
    redis = connect();
    cleanup.add('keys', () => removeTestKeys(redis, prefix));
    applier = new RedisApplier(redis);
    cache = new CacheClient(redis, { ttlMs: 60_000 });
  });

  it('serves a refreshed value as a hit, exactly as written, and refuses an older refresh', async () => {
    const key = item.key({ id: 1 });
    const value = { id: 1, name: 'Ada', n: '12345678901234567890' };
    const version = eventVersion({ lsn: '0/200', seq: 1 });
    await applier.apply({
      deletes: [],
      refreshes: [{ key, value: JSON.stringify(value), ttlMs: 60_000, version }],
    });
    const read = await cache.read(key, () => Promise.reject(new Error('must not load')));
    expect(read).toEqual({ value, source: 'cache' });
    // The refresh records the key's expiry by Redis's clock, so that a hit needs no PTTL.
    const stored = decodeStoredValue((await redis.get(key))!);
    expect(stored.loadMs).toBeUndefined();
    expect(stored.expiresAtMs! - Date.now()).toBeGreaterThan(50_000);
    expect(stored.expiresAtMs! - Date.now()).toBeLessThanOrEqual(61_000);
    const older = eventVersion({ lsn: '0/200', seq: 0 });
    expect(
      await applier.apply({
        deletes: [],
        refreshes: [{ key, value: '"old"', ttlMs: 60_000, version: older }],
      }),
    ).toMatchObject({ deleted: 0, refreshed: 0, refused: 1, tagsInvalidated: 0 });
  });

  const deleteOf = (key: string, version: string, refreshedBefore = false) => ({
    key,
    version,
    refreshedBefore,
  });

  it('removes a filled value and a filled hash with their lease on delete, leaving nothing else', async () => {
    const value = item.key({ id: 2 });
    const hash = item.key({ id: 3 });
    await cache.read(value, () => Promise.resolve({ id: 2 }));
    await cache.readFields(hash, ['id'], () => Promise.resolve({ id: 3, name: 'x' }));
    expect(await countExisting(redis, [value, hash])).toBe(2);
    const version = eventVersion({ lsn: '0/250', seq: 0 });
    await applier.apply({
      deletes: [deleteOf(value, version), deleteOf(hash, version)],
      refreshes: [],
    });
    expect(await countExisting(redis, [...withCompanions(value), ...withCompanions(hash)])).toBe(0);
  });

  // Regression: a delete unlinked the version too, so a consumer that lost its partition
  // mid-batch and re-applied an older refresh afterwards re-created the key of a deleted row.
  it("keeps a refreshed key's version as a tombstone, so an older refresh arriving after the delete is refused", async () => {
    const key = item.key({ id: 5 });
    const [refreshed, deleted] = [0, 1].map((seq) => eventVersion({ lsn: '0/260', seq }));
    const refresh = { key, value: '"renamed"', ttlMs: 60_000, version: refreshed! };
    await applier.apply({ deletes: [], refreshes: [refresh] });
    await applier.apply({ deletes: [deleteOf(key, deleted!)], refreshes: [] });
    // The late one: the same refresh, re-applied by the instance that had the partition before.
    expect(await applier.apply({ deletes: [], refreshes: [refresh] })).toMatchObject({
      refused: 1,
    });
    expect(await redis.exists(key)).toBe(0);
    // A newer change (the row inserted again) still refreshes.
    const newer = eventVersion({ lsn: '0/270', seq: 0 });
    await applier.apply({ deletes: [], refreshes: [{ ...refresh, version: newer }] });
    expect(storedPayload(await redis.get(key))).toBe('"renamed"');
  });

  it('leaves a tombstone for a key its batch refreshed and then deleted, before Redis ever saw the refresh', async () => {
    const key = item.key({ id: 6 });
    const [refreshed, deleted] = [0, 1].map((seq) => eventVersion({ lsn: '0/280', seq }));
    await applier.apply({ deletes: [deleteOf(key, deleted!, true)], refreshes: [] });
    const late = { key, value: '"old"', ttlMs: 60_000, version: refreshed! };
    expect(await applier.apply({ deletes: [], refreshes: [late] })).toMatchObject({ refused: 1 });
    expect(await redis.exists(key)).toBe(0);
  });

  it('reloads its refresh script after the server lost it (SCRIPT FLUSH, restart, failover)', async () => {
    const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
    await Promise.all(servers.map((server) => server.script('FLUSH')));
    const key = item.key({ id: 4 });
    const version = eventVersion({ lsn: '0/300', seq: 0 });
    await applier.apply({
      deletes: [],
      refreshes: [{ key, value: '"v"', ttlMs: 60_000, version }],
    });
    expect(storedPayload(await redis.get(key))).toBe('"v"');
  });
});
