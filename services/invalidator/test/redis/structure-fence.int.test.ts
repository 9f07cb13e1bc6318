import type { ChangeEvent } from '@freshen/change-event';
import { memberVersionsKeyFor, tombstonesKeyFor } from '@freshen/keys';
import { redisTopologies, uniqueName, useCleanup, waitFor } from '@freshen/test-kit';
import { eventVersion } from '@freshen/storage';
import type { Cluster, Redis } from 'ioredis';
import { RedisApplier } from '../../src/redis/redis-applier.ts';
import { emptyStructureTally } from '../../src/redis/structure-commands.ts';
import { applyEvents } from '../support/apply-events.ts';
import { removeTestKeys } from '../support/test-keys.ts';
import { structureEvent, structureRules } from '../support/structure-rules.ts';

const cleanup = useCleanup();

describe.each(redisTopologies(cleanup))('structures kept by rules on %s', (_name, connect) => {
  const prefix = uniqueName('inv_struct');
  const { rules, leaderboard, teamMembers, profile, schema } = structureRules(prefix);
  let redis: Redis | Cluster;
  let applier: RedisApplier;

  beforeAll(() => {
    redis = connect();
    applier = new RedisApplier(redis);
    cleanup.add('structure keys', () => removeTestKeys(redis, prefix));
  });

  /** Applies the events as the invalidator would, in batches of `batchSize` messages. */
  async function apply(
    events: readonly ChangeEvent[],
    options: { batchSize?: number; applier?: RedisApplier } = {},
  ) {
    const applied = await applyEvents(events, {
      rules,
      redis,
      applier: options.applier ?? applier,
      batchSize: options.batchSize,
    });
    if (applied.truncates.length > 0) throw new Error('no truncates here');
    return applied.tally;
  }

  const product = (
    op: 'insert' | 'update' | 'delete',
    id: number,
    units: number,
    listed = true,
    was?: boolean,
  ) =>
    structureEvent(schema, 'products', op, {
      key: { id },
      ...(op !== 'delete' && { new: { id, units_sold: units, listed } }),
      ...(was !== undefined && { old: { id, units_sold: units, listed: was } }),
    });
  const leaders = async () => redis.zrange(leaderboard.key({}), 0, -1, 'WITHSCORES');

  it('ZADDs on insert, updates the score on update, ZREMs on delete and when the row leaves', async () => {
    const tally = await apply([
      product('insert', 1, 10),
      product('insert', 2, 30),
      product('insert', 3, 20),
    ]);
    expect(tally.applied.zadd).toBe(3);
    expect(await leaders()).toEqual(['1', '10', '3', '20', '2', '30']);
    await apply([product('update', 1, 40)]);
    expect(await redis.zrevrange(leaderboard.key({}), 0, 0)).toEqual(['1']);
    const removed = await apply([product('delete', 2, 0), product('update', 3, 20, false, true)]);
    expect(removed.applied.zrem).toBe(2);
    expect(await leaders()).toEqual(['1', '40']);
  });

  it('SADDs and SREMs set members, and moves a member on an update whose old row names another set', async () => {
    const member = (op: 'insert' | 'delete', team: number, user: number) =>
      structureEvent(schema, 'memberships', op, {
        key: { team_id: team, user_id: user },
        ...(op === 'insert' && { new: { team_id: team, user_id: user } }),
      });
    await apply([member('insert', 7, 1), member('insert', 7, 2), member('insert', 7, 3)]);
    await apply([member('delete', 7, 2)]);
    expect((await redis.smembers(teamMembers.key({ team_id: 7 }))).sort()).toEqual(['1', '3']);

    // An update carrying its old row (as REPLICA IDENTITY FULL sends it for a non-key column).
    const move = structureEvent(schema, 'memberships', 'update', {
      key: { team_id: 8, user_id: 3 },
      new: { team_id: 8, user_id: 3 },
      old: { team_id: 7, user_id: 3 },
    });
    const tally = await apply([move]);
    expect(tally.applied).toMatchObject({ sadd: 1, srem: 1 });
    expect(await redis.smembers(teamMembers.key({ team_id: 7 }))).toEqual(['1']);
    expect(await redis.smembers(teamMembers.key({ team_id: 8 }))).toEqual(['3']);
  });

  it('follows a primary-key move as the reader sends it, a delete and an insert in two partitions, in either order', async () => {
    // UPDATE memberships SET team_id = 6 WHERE (team_id, user_id) = (5, 4): the reader sends a
    // delete of the old key (in its partition) then an insert of the new one (in another).
    const add = structureEvent(schema, 'memberships', 'insert', {
      key: { team_id: 5, user_id: 4 },
      new: { team_id: 5, user_id: 4 },
    });
    await apply([add]);
    const moved = structureEvent(schema, 'memberships', 'delete', {
      key: { team_id: 5, user_id: 4 },
    });
    const arrived = {
      ...structureEvent(schema, 'memberships', 'insert', {
        key: { team_id: 6, user_id: 4 },
        new: { team_id: 6, user_id: 4 },
      }),
      lsn: moved.lsn,
      seq: moved.seq + 1,
    };
    // The new key's partition is applied first, the old key's later; then both again (a replay).
    await apply([arrived]);
    await apply([moved]);
    await apply([arrived]);
    await apply([add, moved]);
    expect(await redis.smembers(teamMembers.key({ team_id: 5 }))).toEqual([]);
    expect(await redis.smembers(teamMembers.key({ team_id: 6 }))).toEqual(['4']);
  });

  it('HSETs the chosen fields and HDELs a field that became null or a deleted row', async () => {
    const user = (op: 'insert' | 'update' | 'delete', id: number, row?: Record<string, unknown>) =>
      structureEvent(schema, 'users', op, { key: { id }, ...(row && { new: { id, ...row } }) });
    const key = profile.key({ id: 5 });
    await apply([user('insert', 5, { name: 'Ada', email: 'ada@example.com' })]);
    expect(await redis.hgetall(key)).toEqual({ name: 'Ada', email: 'ada@example.com' });
    const tally = await apply([user('update', 5, { name: 'Ada L', email: null })]);
    expect(tally.applied).toMatchObject({ hset: 1, hdel: 1 });
    expect(await redis.hgetall(key)).toEqual({ name: 'Ada L' });
    await apply([user('delete', 5)]);
    expect(await redis.exists(key)).toBe(0);
  });

  it('a replayed prefix (crash re-delivery) leaves the same structure', async () => {
    const events = [
      product('insert', 11, 5),
      product('insert', 12, 6),
      product('update', 11, 7),
      product('delete', 12, 0),
      product('insert', 13, 1),
      product('update', 13, 2, false, true),
      product('update', 11, 9),
      product('insert', 12, 3),
    ];
    await apply(events, { batchSize: 3 });
    const before = await leaders();
    expect(before).toEqual(['12', '3', '11', '9', '1', '40']);
    // A crash before the offsets were committed: the partition is delivered again from an
    // earlier offset, every prefix of it in order, then the rest.
    for (let end = 1; end <= events.length; end++) {
      const tally = await apply(events.slice(0, end), { batchSize: 2 });
      expect(tally.applied).toEqual(emptyStructureTally().applied);
      expect(await leaders()).toEqual(before);
    }
  });

  it('refuses a late older change: an invalidator that lost its partition cannot move a member back', async () => {
    const early = product('insert', 21, 100);
    const late = product('update', 21, 50);
    await apply([late]);
    const refused = await apply([early]);
    expect(refused.refused.zadd).toBe(1);
    expect(await redis.zscore(leaderboard.key({}), '21')).toBe('50');

    // After a removal the member's version stays as a tombstone: an older add is refused too.
    const add = product('insert', 22, 1);
    const remove = product('delete', 22, 0);
    await apply([remove]);
    expect((await apply([add])).refused.zadd).toBe(1);
    expect(await redis.zscore(leaderboard.key({}), '22')).toBeNull();
    expect(await redis.hget(memberVersionsKeyFor(leaderboard.key({})), '22')).toBe(
      eventVersion(remove),
    );
  });

  it('writes nothing into a key of another type, and counts it', async () => {
    const key = teamMembers.key({ team_id: 77 });
    await redis.set(key, 'a cached value');
    const tally = await apply([
      structureEvent(schema, 'memberships', 'insert', {
        key: { team_id: 77, user_id: 1 },
        new: { team_id: 77, user_id: 1 },
      }),
    ]);
    expect(tally.wrongType).toBe(1);
    expect(await redis.get(key)).toBe('a cached value');
    expect(await redis.exists(memberVersionsKeyFor(key))).toBe(0);
  });

  it("prunes tombstones after the tombstone TTL, and lets an empty structure's companions expire", async () => {
    const shortLived = new RedisApplier(redis, { tombstoneTtlMs: 50 });
    const key = teamMembers.key({ team_id: 99 });
    const member = (op: 'insert' | 'delete', user: number) =>
      structureEvent(schema, 'memberships', op, {
        key: { team_id: 99, user_id: user },
        ...(op === 'insert' && { new: { team_id: 99, user_id: user } }),
      });
    await apply([member('insert', 1), member('insert', 2), member('delete', 1)], {
      applier: shortLived,
    });
    expect(await redis.zrange(tombstonesKeyFor(key), 0, -1)).toEqual(['1']);
    // Every later change of the structure prunes expired tombstones.
    let user = 100;
    await waitFor(
      async () => {
        await apply([member('insert', user++)], { applier: shortLived });
        return (await redis.zcard(tombstonesKeyFor(key))) === 0;
      },
      { description: 'the tombstone of user 1 pruned' },
    );
    expect(await redis.hexists(memberVersionsKeyFor(key), '1')).toBe(0);
    expect(await redis.hexists(memberVersionsKeyFor(key), '2')).toBe(1);

    const lonely = teamMembers.key({ team_id: 98 });
    const one = (op: 'insert' | 'delete') =>
      structureEvent(schema, 'memberships', op, {
        key: { team_id: 98, user_id: 1 },
        ...(op === 'insert' && { new: { team_id: 98, user_id: 1 } }),
      });
    await apply([one('insert')], { applier: shortLived });
    await apply([one('delete')], { applier: shortLived });
    await waitFor(
      async () =>
        (await redis.exists(memberVersionsKeyFor(lonely), tombstonesKeyFor(lonely))) === 0,
      {
        description: 'the companions of an empty structure expire',
      },
    );
  });
});
