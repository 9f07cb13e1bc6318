import { CacheClient } from '@freshen/cache';
import { withCompanions } from '@freshen/keys';
import { eventVersion } from '@freshen/storage';
import { redisTopologies, uniqueName, useCleanup } from '@freshen/test-kit';
import { Cluster, type Redis } from 'ioredis';
import { RedisApplier } from '../../src/redis/redis-applier.ts';
import { truncateKeys } from '../../src/redis/truncate-keys.ts';
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
    cleanup.add('keys', () => truncateKeys(redis, [`${prefix}*`, `{${prefix}*`]));
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
    const older = eventVersion({ lsn: '0/200', seq: 0 });
    expect(
      await applier.apply({
        deletes: [],
        refreshes: [{ key, value: '"old"', ttlMs: 60_000, version: older }],
      }),
    ).toEqual({ deleted: 0, refreshed: 0, refused: 1 });
  });

  it('removes a filled value and a filled hash with their lease and version on delete', async () => {
    const value = item.key({ id: 2 });
    const hash = item.key({ id: 3 });
    await cache.read(value, () => Promise.resolve({ id: 2 }));
    await cache.readFields(hash, ['id'], () => Promise.resolve({ id: 3, name: 'x' }));
    await redis.set(withCompanions(value)[2], 'a version');
    expect(await countExisting(redis, [value, hash])).toBe(2);
    await applier.apply({ deletes: [value, hash], refreshes: [] });
    expect(await countExisting(redis, [...withCompanions(value), ...withCompanions(hash)])).toBe(0);
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
    expect(await redis.get(key)).toBe('"v"');
  });
});
