import {
  deleteKeysWithPrefix,
  newRedis,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { hashSlot } from '../../src/cluster/hash-slot.ts';
import { defineKeyspace, leaseKeyFor, versionKeyFor } from '../../src/index.ts';
import { adversarialValue, anyKey } from '../adversarial.ts';

const cleanup = useCleanup();

describe('keys against a real Redis', () => {
  it('puts lease and version keys in the slot Redis Cluster gives their key (CLUSTER KEYSLOT)', async () => {
    const node = stackSettings().redisClusterNodes[0]!;
    const redis = new Redis({ ...node, lazyConnect: true });
    cleanup.add('cluster node client', () => redis.quit());
    await redis.connect();
    const keys = fc.sample(anyKey, { numRuns: 300, seed: 42 });
    keys.push('{}}:lease', 'a{}b', '', '{user1000}.following', 'foo{{bar}}zap', 'app:user:{42}');
    const pipeline = redis.pipeline();
    for (const key of keys)
      for (const k of [key, leaseKeyFor(key), versionKeyFor(key)])
        pipeline.call('CLUSTER', 'KEYSLOT', k);
    const slots = ((await pipeline.exec()) ?? []).map(([error, slot]) => {
      if (error) throw error;
      return slot as number;
    });
    keys.forEach((key, i) => {
      const [slot, lease, version] = slots.slice(i * 3, i * 3 + 3);
      expect({ key, lease, version, ours: hashSlot(key) }).toEqual({
        key,
        lease: slot,
        version: slot,
        ours: slot,
      });
    });
  });

  it("SCAN MATCH with a kind's pattern returns exactly that kind's keys", async () => {
    const redis = newRedis(cleanup);
    const prefix = uniqueName('keys');
    cleanup.add('test keys', () => deleteKeysWithPrefix(redis, prefix));
    const space = defineKeyspace({ prefix });
    const user = space.kind('user', ['id']);
    const byEmail = space.kind('user-by-email', ['email']);
    const tagged = space.kind('user_', ['id'], { hashTag: true });
    const ids = fc.sample(adversarialValue, { numRuns: 60, seed: 7 });
    const expected = new Map<string, string[]>([
      [user.pattern(), []],
      [byEmail.pattern(), []],
      [tagged.pattern(), []],
    ]);
    const pipeline = redis.pipeline();
    for (const id of ids) {
      for (const key of [user.key({ id }), byEmail.key({ email: id }), tagged.key({ id })]) {
        pipeline.set(key, '1', 'PX', 60_000).set(leaseKeyFor(key), 't', 'PX', 60_000);
      }
      expected.get(user.pattern())!.push(user.key({ id }));
      expected.get(byEmail.pattern())!.push(byEmail.key({ email: id }));
      expected.get(tagged.pattern())!.push(tagged.key({ id }));
    }
    await pipeline.exec();
    for (const [pattern, keys] of expected) {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        batch.forEach((key) => found.add(key));
        cursor = next;
      } while (cursor !== '0');
      expect([...found].sort()).toEqual([...new Set(keys)].sort());
    }
    // Lease keys are not under the prefix; remove them explicitly.
    const leases = [...expected.values()].flat().map(leaseKeyFor);
    await redis.unlink(...leases);
  });
});
