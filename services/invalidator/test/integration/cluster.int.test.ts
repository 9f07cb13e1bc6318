import { hashSlot, leaseKeyFor, versionKeyFor, withCompanions } from '@freshen/keys';
import {
  newKafkaAdmin,
  newRedisCluster,
  newTopic,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { removeTestKeys } from '../support/test-keys.ts';
import { eventVersion, storedPayload } from '@freshen/storage';
import { itemEvent, toMessage } from '../support/events.ts';
import { newProducer, startTestInvalidator } from '../support/harness.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_cluster');
const { rules, item, group, schema } = testRules(prefix);
const nodes = stackSettings().redisClusterNodes;
const cluster = newRedisCluster(cleanup);
cleanup.add('cluster keys', () => removeTestKeys(cluster, prefix));

const countOnMasters = async (keys: string[]) => {
  let present = 0;
  for (const key of keys) present += await cluster.exists(key);
  return present;
};

/** The masters serving these keys' slots. */
const mastersOf = (keys: string[]) => new Set(keys.map((key) => cluster.slots[hashSlot(key)]?.[0]));

describe('Redis Cluster', () => {
  let send: (...events: ReturnType<typeof itemEvent>[]) => Promise<unknown>;

  beforeAll(async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_cluster_changes', 3);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_cluster_dlq', 1);
    const producer = await newProducer(cleanup);
    send = (...events) => producer.send({ topic, messages: events.map(toMessage) });
    await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      redis: { clusterNodes: nodes },
    });
  });

  it('deletes keys and leases spread over every master (never refreshed: no tombstones)', async () => {
    const keys = Array.from({ length: 300 }, (_, id) => item.key({ id }));
    const all = keys.flatMap((key) => withCompanions(key));
    for (const key of keys) await cluster.set(key, 'v');
    for (const key of keys) await cluster.set(leaseKeyFor(key), 'token');
    expect(mastersOf(keys).size).toBe(cluster.nodes('master').length);
    await send(...keys.map((_, id) => itemEvent(schema, id, { groups: [`g${id % 7}`] })));
    await waitFor(async () => (await countOnMasters(all)) === 0, {
      description: 'all keys unlinked across slots',
    });
  });

  it('refreshes keys in many slots with the version guard', async () => {
    const events = Array.from({ length: 100 }, (_, id) =>
      itemEvent(schema, 1000 + id, { mode: 'refresh', id }),
    );
    await send(...events);
    await waitFor(
      async () => {
        for (const event of events) {
          const key = item.key({ id: event.key.id as number });
          if (storedPayload(await cluster.get(key)) !== JSON.stringify(event.new)) return false;
          if ((await cluster.get(versionKeyFor(key))) !== eventVersion(event)) return false;
        }
        return true;
      },
      { description: 'refreshed values and versions' },
    );
  });

  it('truncates by scanning every master', async () => {
    const keys = [
      ...Array.from({ length: 500 }, (_, id) => item.key({ id: 5000 + id })),
      ...Array.from({ length: 20 }, (_, n) => group.key({ name: `t${n}` })),
    ];
    for (const key of keys) await cluster.set(key, 'v');
    expect(mastersOf(keys).size).toBe(cluster.nodes('master').length);
    await send(itemEvent(schema, 0, null, { op: 'truncate', key: {} }));
    await waitFor(async () => (await countOnMasters(keys)) === 0, {
      description: 'truncated on every master',
    });
  });
});
