import { defineKeyspace, leaseKeyFor } from '@freshen/keys';
import { deleteKeysWithPrefix, newRedis, uniqueName, useCleanup } from '@freshen/test-kit';
import { CacheClient } from '../../src/cache-client.ts';
import { HASH_META_FIELD } from '@freshen/storage';
import { invalidatorDelete } from '../support/invalidator-actions.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const keyspace = defineKeyspace({ prefix: uniqueName('hash') });
const profile = keyspace.kind('profile', ['id'] as const);
cleanup.add('cache keys', async () => {
  await deleteKeysWithPrefix(redis, keyspace.base);
  await deleteKeysWithPrefix(redis, `{${keyspace.base}`);
});

interface Profile {
  name: string;
  email: string;
  bio?: string;
  tags: string[];
}
const ada: Profile = { name: 'Ada', email: 'ada@example.com', tags: ['math'] };
let next = 0;
const newKey = () => profile.key({ id: ++next });

describe('getFieldsOrLoad', () => {
  it('fills the whole object as a hash and then reads only the requested fields', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    let loads = 0;
    const loader = async () => {
      loads++;
      return ada;
    };
    expect(await cache.readFields(key, ['name', 'tags'], loader)).toEqual({
      value: { name: 'Ada', tags: ['math'] },
      source: 'loader',
      fill: 'written',
    });
    expect(await cache.readFields(key, ['email'], loader)).toEqual({
      value: { email: ada.email },
      source: 'cache',
    });
    // A field the object lacks is absent from the answer, not a miss.
    expect(await cache.readFields(key, ['bio', 'name'], loader)).toMatchObject({
      value: { name: 'Ada' },
      source: 'cache',
    });
    expect(loads).toBe(1);
    expect(await redis.hget(key, 'tags')).toBe('["math"]');
    expect(await redis.hexists(key, HASH_META_FIELD)).toBe(1);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(await redis.exists(leaseKeyFor(key))).toBe(0);
  });

  it('caches "no such object" as null', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    expect(
      await cache.getFieldsOrLoad<Profile, 'name'>(key, ['name'], async () => null),
    ).toBeNull();
    expect(await cache.readFields<Profile, 'name'>(key, ['name'], async () => ada)).toEqual({
      value: null,
      source: 'cache',
    });
  });

  it('refuses a fill whose load raced an invalidation of the hash key', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    const raced = await cache.readFields(key, ['name'], async () => {
      await invalidatorDelete(redis, key);
      return ada;
    });
    expect(raced.fill).toBe('refused');
    expect(await redis.exists(key)).toBe(0);
    const after = await cache.readFields(key, ['name'], async () => ({ ...ada, name: 'Ada L.' }));
    expect(after).toMatchObject({ value: { name: 'Ada L.' }, fill: 'written' });
  });

  it('replaces every field on a refill, so no field of an older version survives', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    await cache.getFieldsOrLoad(key, ['name'], async () => ({ ...ada, bio: 'old bio' }));
    await invalidatorDelete(redis, key);
    await cache.getFieldsOrLoad(key, ['name'], async () => ada);
    expect(await redis.hexists(key, 'bio')).toBe(0);
  });

  it('treats a string found at a hash key (a refresh rule on it) as a miss and replaces it', async () => {
    const cache = new CacheClient(redis);
    const key = newKey();
    await redis.set(key, JSON.stringify(ada), 'PX', 10_000);
    expect(await cache.readFields(key, ['email'], async () => ada)).toMatchObject({
      source: 'loader',
      fill: 'written',
    });
    expect(await redis.type(key)).toBe('hash');
  });

  it('works without leases too (plain cache-aside, for comparisons)', async () => {
    const naive = new CacheClient(redis, { leases: false });
    const key = newKey();
    expect((await naive.readFields(key, ['name'], async () => ada)).fill).toBe('written');
    expect(await naive.readFields(key, ['name'], async () => ada)).toMatchObject({
      source: 'cache',
    });
  });

  it('does not cache objects over maxValueBytes', async () => {
    const cache = new CacheClient(redis, { maxValueBytes: 50 });
    const key = newKey();
    const read = await cache.readFields(key, ['name'], async () => ({
      ...ada,
      bio: 'x'.repeat(100),
    }));
    expect(read.fill).toBe('too_large');
    expect(await redis.exists(key, leaseKeyFor(key))).toBe(0);
  });
});
