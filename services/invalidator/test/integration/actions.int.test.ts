import { encodeEvent, formatLsn, parseLsn } from '@freshen/change-event';
import { leaseKeyFor, versionKeyFor } from '@freshen/keys';
import {
  deleteKeysWithPrefix,
  newKafkaAdmin,
  newRedis,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
  type TestProducer,
} from '@freshen/test-kit';
import type { Invalidator } from '../../src/invalidator.ts';
import { eventVersion, storedPayload } from '@freshen/storage';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv');
const { rules, item, group, schema } = testRules(prefix);
let topic: string;
let producer: TestProducer;
let invalidator: Invalidator;
const redis = newRedis(cleanup);

beforeAll(async () => {
  const admin = await newKafkaAdmin(cleanup);
  topic = await newTopic(cleanup, admin, 'inv_changes', 3);
  const dlqTopic = await newTopic(cleanup, admin, 'inv_dlq', 1);
  cleanup.add('keys', async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await deleteKeysWithPrefix(redis, `{${prefix}`);
  });
  producer = await newProducer(cleanup);
  invalidator = await startTestInvalidator(cleanup, { topics: [topic], dlqTopic, rules });
});

const send = (...events: ReturnType<typeof itemEvent>[]) =>
  producer.send({ topic, messages: events.map(toMessage) });

describe('invalidator actions against the stack', () => {
  it("deletes a key together with its fill lease, leaving the delete's version as a tombstone", async () => {
    const key = item.key({ id: 1 });
    await redis.mset(
      key,
      'cached',
      leaseKeyFor(key),
      'token',
      versionKeyFor(key),
      '0000000000000001',
    );
    const event = itemEvent(schema, 1, { name: 'x' });
    await send(event);
    await waitFor(
      async () =>
        (await redis.exists(key, leaseKeyFor(key))) === 0 &&
        (await redis.get(versionKeyFor(key))) === eventVersion(event),
      { description: 'key and lease unlinked, tombstone left' },
    );
    expect(await redis.pttl(versionKeyFor(key))).toBeGreaterThan(0);
  });

  it('refreshes a key with its version and drops the lease so a racing fill fails', async () => {
    const key = item.key({ id: 2 });
    await redis.set(leaseKeyFor(key), 'racing-fill-token');
    const event = itemEvent(schema, 2, { mode: 'refresh', name: 'new' });
    await send(event);
    await waitFor(async () => storedPayload(await redis.get(key)) === JSON.stringify(event.new), {
      description: 'refreshed value',
    });
    expect(await redis.get(versionKeyFor(key))).toBe(eventVersion(event));
    expect(await redis.exists(leaseKeyFor(key))).toBe(0);
    expect(await redis.pttl(key)).toBeGreaterThan(50_000);
  });

  it('fans one change out to every key its rules name', async () => {
    const keys = [item.key({ id: 3 }), group.key({ name: 'red' }), group.key({ name: 'blue' })];
    await redis.mset(...keys.flatMap((key) => [key, 'cached']));
    await send(itemEvent(schema, 3, { groups: ['red', 'blue'] }));
    await waitFor(async () => (await redis.exists(...keys)) === 0, {
      description: 'fan-out keys unlinked',
    });
  });

  it('applies many changes to one key in order: the last one wins', async () => {
    const key = item.key({ id: 4 });
    const events = Array.from({ length: 300 }, (_, n) =>
      itemEvent(schema, 4, { mode: n % 3 === 0 ? 'delete' : 'refresh', n }),
    );
    for (let start = 0; start < events.length; start += 37)
      await send(...events.slice(start, start + 37));
    const last = events.at(-1)!;
    await waitFor(async () => storedPayload(await redis.get(key)) === JSON.stringify(last.new), {
      description: 'value of the last change',
    });
    expect(await redis.get(versionKeyFor(key))).toBe(eventVersion(last));
    await send(itemEvent(schema, 4, { mode: 'delete' }));
    await waitFor(async () => (await redis.exists(key)) === 0, {
      description: 'final delete applied',
    });
  });

  it('refuses refreshes that are older than or as old as the stored version, applies newer ones', async () => {
    const key = item.key({ id: 5 });
    const base = parseLsn(itemEvent(schema, 5, {}).lsn) + 0x1000n;
    const at = (offset: bigint, name: string) =>
      itemEvent(schema, 5, { mode: 'refresh', name }, { lsn: formatLsn(base + offset) });
    const current = at(10n, 'current');
    await send(current);
    await waitFor(async () => storedPayload(await redis.get(key)) === JSON.stringify(current.new), {
      description: 'current value',
    });
    const refusedBefore = await metricValue(invalidator.metrics.refreshesRefused);
    // A replay of the same change and a late older one (out-of-order redelivery).
    await send(at(10n, 'replay'), at(5n, 'older'));
    await waitFor(
      async () => (await metricValue(invalidator.metrics.refreshesRefused)) >= refusedBefore + 1,
      {
        description: 'refusals counted',
      },
    );
    // Older and equal were collapsed or sent in separate batches; either way neither was written.
    expect(storedPayload(await redis.get(key))).toBe(JSON.stringify(current.new));
    await send(at(10n, 'replay-again'));
    await waitFor(
      async () => (await metricValue(invalidator.metrics.refreshesRefused)) >= refusedBefore + 2,
      {
        description: 'equal version refused',
      },
    );
    expect(storedPayload(await redis.get(key))).toBe(JSON.stringify(current.new));
    const newer = at(11n, 'newer');
    await send(newer);
    await waitFor(async () => storedPayload(await redis.get(key)) === JSON.stringify(newer.new), {
      description: 'newer value applied',
    });
    expect(await redis.get(versionKeyFor(key))).toBe(eventVersion(newer));
  });

  it('applies the second refresh of a row updated twice in one transaction, when the two arrive in separate batches (regression: equal commit LSNs refused the final value)', async () => {
    const key = item.key({ id: 8 });
    const commitLsn = itemEvent(schema, 8, {}).lsn;
    const first = itemEvent(
      schema,
      8,
      { mode: 'refresh', name: 'first' },
      { lsn: commitLsn, seq: 0 },
    );
    const second = itemEvent(
      schema,
      8,
      { mode: 'refresh', name: 'second' },
      { lsn: commitLsn, seq: 1 },
    );
    await send(first);
    await waitFor(async () => storedPayload(await redis.get(key)) === JSON.stringify(first.new), {
      description: 'first update of the transaction applied',
    });
    await send(second);
    await waitFor(async () => storedPayload(await redis.get(key)) === JSON.stringify(second.new), {
      description: 'second update of the same transaction applied',
    });
  });

  it('deletes instead of refreshing when the row has unavailable TOAST columns', async () => {
    const key = item.key({ id: 6 });
    await redis.set(key, 'cached');
    await send(itemEvent(schema, 6, { mode: 'refresh' }, { unavailable: ['body'] }));
    await waitFor(async () => (await redis.exists(key)) === 0, {
      description: 'partial row deleted',
    });
  });

  it('skips and counts changes of tables without rules', async () => {
    const before = await metricValue(invalidator.metrics.skipped);
    const other = itemEvent(`${schema}_norules`, 7, {});
    await producer.send({ topic, messages: [{ key: 'x', value: encodeEvent(other) }] });
    await waitFor(async () => (await metricValue(invalidator.metrics.skipped)) === before + 1, {
      description: 'skip counted',
    });
  });

  it('invalidates every key kind of a truncated table by SCAN, and nothing else', async () => {
    const keys = Array.from({ length: 2500 }, (_, id) => item.key({ id: 10_000 + id }));
    const groups = [group.key({ name: 'g1' }), group.key({ name: 'g2' })];
    const unrelated = `${prefix}x:unrelated`;
    for (let start = 0; start < keys.length; start += 500) {
      await redis.mset(...keys.slice(start, start + 500).flatMap((key) => [key, 'v']));
    }
    await redis.mset(
      ...groups.flatMap((key) => [key, 'v']),
      leaseKeyFor(keys[0]!),
      't',
      unrelated,
      'keep',
    );
    await send(itemEvent(schema, 0, null, { op: 'truncate', key: {} }));
    await waitFor(
      async () => (await redis.exists(...keys, ...groups, leaseKeyFor(keys[0]!))) === 0,
      {
        description: 'truncated keys gone',
      },
    );
    expect(await redis.get(unrelated)).toBe('keep');
    expect(await metricValue(invalidator.metrics.truncates)).toBe(1);
  });

  it('serves metrics with the end-to-end lag histogram, and is ready', async () => {
    const base = `http://127.0.0.1:${invalidator.opsPort}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/freshen_invalidator_end_to_end_lag_seconds_count \d+/);
    expect(metrics).toMatch(/freshen_invalidator_keys_deleted_total [1-9]/);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
