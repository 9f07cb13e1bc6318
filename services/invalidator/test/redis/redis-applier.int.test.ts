import { defineKeyspace, leaseKeyFor, versionKeyFor } from '@freshen/keys';
import { storedPayload } from '@freshen/storage';
import { redisTopologies, uniqueName, useCleanup } from '@freshen/test-kit';
import type { Cluster, Redis } from 'ioredis';
import {
  RedisApplier,
  type DeleteCommand,
  type RefreshCommand,
} from '../../src/redis/redis-applier.ts';
import { removeTestKeys } from '../support/test-keys.ts';

const cleanup = useCleanup();
const OLDER = '0000000000000001';
const VERSION = '000000000000000500000000';
const NEWER = 'f'.repeat(24);

describe.each(redisTopologies(cleanup))('RedisApplier on %s', (_name, connect) => {
  let redis: Redis | Cluster;

  beforeAll(() => {
    redis = connect();
  });

  // Deletes go many to one script call (per slot, in chunks): every delete of a batch larger
  // than a chunk must still get exactly its own version, flag and keys.
  it('applies a batch of 700 deletes key by key: keys and leases gone, tombstones only where the key was refreshed', async () => {
    const prefix = uniqueName('inv_apply');
    cleanup.add('keys', () => removeTestKeys(redis, prefix));
    const item = defineKeyspace({ prefix }).kind('item', ['id'] as const);
    const deletes: DeleteCommand[] = [];
    const stored = new Map<string, string>();
    for (let id = 0; id < 700; id++) {
      const key = item.key({ id });
      await redis.set(key, 'cached');
      await redis.set(leaseKeyFor(key), 'token');
      // A third were refreshed earlier (an older version stored), a sixth hold a newer one.
      if (id % 3 === 0) {
        const version = id % 2 === 0 ? NEWER : OLDER;
        await redis.set(versionKeyFor(key), version);
        stored.set(key, version);
      }
      deletes.push({ key, version: VERSION, refreshedBefore: id % 3 === 1 });
    }

    const result = await new RedisApplier(redis, { tombstoneTtlMs: 60_000 }).apply({
      deletes,
      refreshes: [],
    });

    expect(result.deleted).toBe(700);
    for (const [id, { key }] of deletes.entries()) {
      expect([id, await redis.exists(key, leaseKeyFor(key))]).toEqual([id, 0]);
      const expected =
        id % 3 === 0
          ? stored.get(key) === NEWER
            ? NEWER
            : VERSION
          : id % 3 === 1
            ? VERSION
            : null;
      expect([id, await redis.get(versionKeyFor(key))]).toEqual([id, expected]);
    }
  });

  // Refreshes too go many to a call, split by count and by value bytes (the 16 KB values below
  // make calls end on bytes before they end on count).
  it('applies a batch of 700 refreshes key by key: newer ones written with their lease gone, the others refused', async () => {
    const prefix = uniqueName('inv_apply');
    cleanup.add('keys', () => removeTestKeys(redis, prefix));
    const item = defineKeyspace({ prefix }).kind('item', ['id'] as const);
    const refreshes: RefreshCommand[] = [];
    for (let id = 0; id < 700; id++) {
      const key = item.key({ id });
      await redis.set(leaseKeyFor(key), 'token');
      // A quarter hold a newer version already: those refreshes must be refused.
      if (id % 4 === 0) await redis.set(versionKeyFor(key), NEWER);
      else if (id % 4 === 1) await redis.set(versionKeyFor(key), OLDER);
      const value = `${id}:${'v'.repeat(id % 2 === 0 ? 16_384 : 10)}`;
      refreshes.push({ key, value, ttlMs: 60_000, version: VERSION });
    }

    const result = await new RedisApplier(redis).apply({ deletes: [], refreshes });

    expect(result).toMatchObject({ refreshed: 525, refused: 175 });
    for (const [id, { key, value }] of refreshes.entries()) {
      const refused = id % 4 === 0;
      expect([id, storedPayload(await redis.get(key))]).toEqual([id, refused ? null : value]);
      expect([id, await redis.get(versionKeyFor(key))]).toEqual([id, refused ? NEWER : VERSION]);
      expect([id, await redis.exists(leaseKeyFor(key))]).toEqual([id, refused ? 1 : 0]);
    }
  });
});
