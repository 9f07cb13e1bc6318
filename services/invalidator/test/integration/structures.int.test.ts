import { memberVersionsKeyFor, structureFloorKeyFor } from '@freshen/keys';
import { eventVersion } from '@freshen/storage';
import {
  newKafkaAdmin,
  newRedisCluster,
  newTopic,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
  type TestProducer,
} from '@freshen/test-kit';
import type { Invalidator } from '../../src/invalidator.ts';
import { removeTestKeys } from '../support/test-keys.ts';
import { itemEvent, toMessage } from '../support/events.ts';
import { newProducer, startTestInvalidator } from '../support/harness.ts';
import { structureEvent, structureRules } from '../support/structure-rules.ts';

// The whole path on Redis Cluster: Kafka, the batch plan, the applier and the metrics.
const cleanup = useCleanup();
const prefix = uniqueName('inv_structures');
const { rules, leaderboard, teamMembers, schema } = structureRules(prefix);
const cluster = newRedisCluster(cleanup);
let producer: TestProducer;
let topic: string;
let invalidator: Invalidator;

beforeAll(async () => {
  const admin = await newKafkaAdmin(cleanup);
  topic = await newTopic(cleanup, admin, 'inv_structures_changes', 3);
  const dlqTopic = await newTopic(cleanup, admin, 'inv_structures_dlq', 1);
  cleanup.add('structure keys', () => removeTestKeys(cluster, prefix));
  producer = await newProducer(cleanup);
  invalidator = await startTestInvalidator(cleanup, {
    topics: [topic],
    dlqTopic,
    rules,
    redis: { clusterNodes: stackSettings().redisClusterNodes },
  });
});

const send = (...events: ReturnType<typeof structureEvent>[]) =>
  producer.send({ topic, messages: events.map(toMessage) });

async function structureOps(action: string, outcome: string): Promise<number> {
  const { values } = await invalidator.metrics.structureOps.get();
  return values.find((v) => v.labels.action === action && v.labels.outcome === outcome)?.value ?? 0;
}

describe('structures through the invalidator', () => {
  it('keeps a leaderboard and team sets from inserts, updates and deletes, counting ops by command', async () => {
    const product = (op: 'insert' | 'update' | 'delete', id: number, units: number) =>
      structureEvent(schema, 'products', op, {
        key: { id },
        ...(op !== 'delete' && { new: { id, units_sold: units, listed: true } }),
      });
    await send(
      ...Array.from({ length: 20 }, (_, id) => product('insert', id, id * 10)),
      product('update', 3, 1000),
      product('delete', 19, 0),
    );
    await waitFor(
      async () =>
        (await cluster.zcard(leaderboard.key({}))) === 19 &&
        (await cluster.zscore(leaderboard.key({}), '3')) === '1000',
      { description: 'leaderboard of 19 products, 3 on top' },
    );
    expect(await cluster.zrevrange(leaderboard.key({}), 0, 2)).toEqual(['3', '18', '17']);
    await waitFor(async () => (await structureOps('zrem', 'applied')) === 1, {
      description: 'zrem counted',
    });
    // A batch keeps only each member's last change, so an insert and a later update may count once.
    expect(await structureOps('zadd', 'applied')).toBeGreaterThanOrEqual(19);

    const membership = (team: number, user: number) =>
      structureEvent(schema, 'memberships', 'insert', {
        key: { team_id: team, user_id: user },
        new: { team_id: team, user_id: user },
      });
    await send(...Array.from({ length: 30 }, (_, user) => membership(user % 3, user)));
    await waitFor(
      async () => {
        const sizes = await Promise.all(
          [0, 1, 2].map((team) => cluster.scard(teamMembers.key({ team_id: team }))),
        );
        return sizes.every((size) => size === 10);
      },
      { description: 'three teams of ten' },
    );
    expect(await structureOps('sadd', 'applied')).toBe(30);
  });

  it('empties the structures of a truncated table and leaves its floor', async () => {
    const key = leaderboard.key({});
    expect(await cluster.exists(key, memberVersionsKeyFor(key))).toBe(2);
    const truncate = itemEvent(schema, 0, null, { op: 'truncate', table: 'products', key: {} });
    await send(truncate);
    await waitFor(async () => (await cluster.exists(key)) === 0, {
      description: 'leaderboard emptied',
    });
    // The live members' versions went with them (the floor covers them now); what is left is
    // the tombstone of the deleted product 19, expiring with the empty structure.
    expect(await cluster.hkeys(memberVersionsKeyFor(key))).toEqual(['19']);
    expect(await cluster.pttl(memberVersionsKeyFor(key))).toBeGreaterThan(0);
    expect(await cluster.get(structureFloorKeyFor(key))).toBe(eventVersion(truncate));
    expect(await cluster.scard(teamMembers.key({ team_id: 0 }))).toBe(10);
  });
});
