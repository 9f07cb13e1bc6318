import type { ChangeEvent } from '@freshen/change-event';
import {
  leaseKeyFor,
  memberVersionsKeyFor,
  structureFloorKeyFor,
  tombstonesKeyFor,
  versionKeyFor,
} from '@freshen/keys';
import { redisTopologies, uniqueName, useCleanup, waitFor } from '@freshen/test-kit';
import { encodeHashMeta, eventVersion, HASH_META_FIELD } from '@freshen/storage';
import type { Cluster, Redis } from 'ioredis';
import { RedisApplier } from '../../src/redis/redis-applier.ts';
import { applyEvents } from '../support/apply-events.ts';
import { itemEvent } from '../support/events.ts';
import { structureEvent, structureRules } from '../support/structure-rules.ts';
import { removeTestKeys } from '../support/test-keys.ts';

const cleanup = useCleanup();

describe.each(redisTopologies(cleanup))(
  'TRUNCATE of structures kept by rules on %s',
  (_name, connect) => {
    let redis: Redis | Cluster;
    let applier: RedisApplier;

    beforeAll(() => {
      redis = connect();
      applier = new RedisApplier(redis);
    });

    /** Rules of a fresh key prefix: a TRUNCATE reaches every key of its kinds, so one per test. */
    function fresh() {
      const prefix = uniqueName('inv_trunc');
      cleanup.add('keys', () => removeTestKeys(redis, prefix));
      const { rules, leaderboard, teamMembers, schema } = structureRules(prefix);
      const apply = (events: readonly ChangeEvent[], using = applier) =>
        applyEvents(events, { rules, redis, applier: using });
      const truncate = (table: string) =>
        itemEvent(schema, 0, null, { op: 'truncate', table, key: {} });
      const member = (op: 'insert' | 'delete', team: number, user: number) =>
        structureEvent(schema, 'memberships', op, {
          key: { team_id: team, user_id: user },
          ...(op === 'insert' && { new: { team_id: team, user_id: user } }),
        });
      const product = (id: number, units: number) =>
        structureEvent(schema, 'products', 'insert', {
          key: { id },
          new: { id, units_sold: units, listed: true },
        });
      return { leaderboard, teamMembers, apply, truncate, member, product };
    }

    it('a late copy of the TRUNCATE keeps a member added after it (regression: it unlinked the whole set)', async () => {
      const { teamMembers, apply, truncate, member } = fresh();
      const key = teamMembers.key({ team_id: 7 });
      const before = member('insert', 7, 1);
      const truncated = truncate('memberships');
      const after = member('insert', 7, 2);
      expect(eventVersion(before) < eventVersion(truncated)).toBe(true);
      expect(eventVersion(truncated) < eventVersion(after)).toBe(true);

      await apply([before]);
      // Partition B reaches its copy first, then a row re-inserted after the TRUNCATE is added.
      const first = await apply([truncated]);
      expect(await redis.smembers(key)).toEqual([]);
      expect((await apply([after])).tally.applied.sadd).toBe(1);
      // Partition A reaches its own copy of the same TRUNCATE later.
      const late = await apply([truncated]);
      expect(await redis.smembers(key)).toEqual(['2']);
      expect(await redis.hgetall(memberVersionsKeyFor(key))).toEqual({ '2': eventVersion(after) });
      expect(await redis.get(structureFloorKeyFor(key))).toBe(eventVersion(truncated));
      expect(first.truncates).toEqual([{ unlinked: 0, structures: 1, membersRemoved: 1 }]);
      expect(late.truncates).toEqual([{ unlinked: 0, structures: 1, membersRemoved: 0 }]);
    });

    it('refuses a change older than the TRUNCATE applied after it, for the tombstone TTL', async () => {
      const { teamMembers, apply, truncate, member } = fresh();
      const shortLived = new RedisApplier(redis, { tombstoneTtlMs: 300 });
      const key = teamMembers.key({ team_id: 8 });
      const kept = member('insert', 8, 1);
      const early = member('insert', 8, 2);
      const removal = member('delete', 8, 1);
      const truncated = truncate('memberships');
      await apply([kept], shortLived);
      await apply([truncated], shortLived);
      expect(await redis.exists(key)).toBe(0);
      expect(await redis.pttl(structureFloorKeyFor(key))).toBeGreaterThan(0);

      // A late apply of changes made before the TRUNCATE (an invalidator that lost its partition).
      const refused = await apply([early, removal], shortLived);
      expect(refused.tally.refused).toMatchObject({ sadd: 1, srem: 1 });
      expect(await redis.exists(key)).toBe(0);
      // The removed member's version went with it: only the floor refused these.
      expect(await redis.hexists(memberVersionsKeyFor(key), '2')).toBe(0);

      // The floor and the empty structure's companions expire after the TTL.
      await waitFor(
        async () =>
          (await redis.exists(
            structureFloorKeyFor(key),
            memberVersionsKeyFor(key),
            tombstonesKeyFor(key),
          )) === 0,
        { description: 'the floor and companions expire' },
      );
      expect((await apply([member('insert', 8, 3)], shortLived)).tally.applied.sadd).toBe(1);
      expect(await redis.smembers(key)).toEqual(['3']);
    });

    it('unlinks cache keys of the same kinds with their lease and version: a string and a cached hash', async () => {
      const { teamMembers, apply, truncate, member } = fresh();
      const plain = teamMembers.key({ team_id: 50 });
      const cachedHash = teamMembers.key({ team_id: 51 });
      const now = Date.now();
      await redis.set(plain, 'a cached value');
      await redis.hset(cachedHash, {
        name: '"Ada"',
        [HASH_META_FIELD]: encodeHashMeta(now, now + 60_000, false),
      });
      for (const key of [plain, cachedHash]) {
        await redis.set(leaseKeyFor(key), 'lease');
        await redis.set(versionKeyFor(key), eventVersion(member('insert', 50, 1)));
      }
      const structure = teamMembers.key({ team_id: 52 });
      await apply([member('insert', 52, 1)]);

      const { truncates } = await apply([truncate('memberships')]);
      expect(truncates[0]).toEqual({ unlinked: 2, structures: 1, membersRemoved: 1 });
      for (const key of [plain, cachedHash, structure]) {
        expect(await redis.exists(key)).toBe(0);
        expect(await redis.exists(leaseKeyFor(key), versionKeyFor(key))).toBe(0);
      }
      // A cache key gets no floor: its lease fences the fills (truncate-fence.int.test.ts).
      for (const key of [plain, cachedHash]) {
        expect(await redis.exists(structureFloorKeyFor(key))).toBe(0);
      }
    });

    it('trims a large structure completely across chunks, and keeps what changed after', async () => {
      const { leaderboard, apply, truncate, product } = fresh();
      const SIZE = 5000;
      const key = leaderboard.key({});
      const rows = Array.from({ length: SIZE }, (_, index) => product(index + 1, index));
      const truncated = truncate('products');
      const later = Array.from({ length: 100 }, (_, index) => product(SIZE + index + 1, index));
      await apply(rows);
      expect(await redis.zcard(key)).toBe(SIZE);
      const first = await apply([truncated]);
      expect(first.truncates[0]).toEqual({ unlinked: 0, structures: 1, membersRemoved: SIZE });
      expect(await redis.exists(key)).toBe(0);
      await apply(later);
      await apply([truncated]);
      expect(await redis.zcard(key)).toBe(later.length);
      expect(await redis.hlen(memberVersionsKeyFor(key))).toBe(later.length);
    });
  },
);
