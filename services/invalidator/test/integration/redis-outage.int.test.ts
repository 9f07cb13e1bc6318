import {
  committedOffsets,
  newKafkaAdmin,
  newTopic,
  startPrivateRedis,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { Redis } from 'ioredis';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_down');
const { rules, item, schema } = testRules(prefix);

describe('Redis outage', () => {
  it('pauses, retries and applies every change made while Redis was down, without committing past them', async () => {
    const privateRedis = await startPrivateRedis(cleanup);
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_down_changes', 4);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_down_dlq', 1);
    const groupId = uniqueName('inv_down_group');
    const producer = await newProducer(cleanup);
    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      groupId,
      redis: { url: privateRedis.url },
    });
    const redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
    cleanup.add('redis probe', () => redis.disconnect());

    // Steady load: refresh events with increasing ids, until told to stop.
    let produced = 0;
    let stopLoad = false;
    const load = (async () => {
      while (!stopLoad) {
        const ids = Array.from({ length: 20 }, () => produced++);
        await producer.send({
          topic,
          messages: ids.map((id) => toMessage(itemEvent(schema, id, { mode: 'refresh', id }))),
        });
      }
    })();

    await waitFor(async () => (await metricValue(invalidator.metrics.keysRefreshed)) >= 200, {
      description: 'load flowing',
    });
    await privateRedis.stop();
    const firstAfterStop = produced;
    await waitFor(async () => (await metricValue(invalidator.metrics.redisRetries)) >= 3, {
      description: 'retrying while down',
    });
    await waitFor(() => produced >= firstAfterStop + 400, {
      description: 'changes made during the outage',
    });

    // Nothing at or after the outage may be committed yet: at most what was produced before it.
    const committed = [...(await committedOffsets(admin, groupId, topic)).values()].reduce(
      (sum, offset) => sum + Math.max(0, Number(offset)),
      0,
    );
    expect(committed).toBeLessThanOrEqual(firstAfterStop);
    expect(await metricValue(invalidator.metrics.redisUp)).toBe(0);

    await privateRedis.start();
    await waitFor(() => produced >= firstAfterStop + 800, {
      description: 'more load after the restart',
    });
    stopLoad = true;
    await load;

    // The restarted Redis is empty, so every refresh made from the outage on must be there now.
    const keys = Array.from({ length: produced - firstAfterStop }, (_, n) =>
      item.key({ id: firstAfterStop + n }),
    );
    await waitFor(
      async () => {
        let present = 0;
        for (let start = 0; start < keys.length; start += 500)
          present += await redis.exists(...keys.slice(start, start + 500));
        return present === keys.length;
      },
      { timeoutMs: 30_000, description: `all ${keys.length} changes since the outage applied` },
    );
    expect(await metricValue(invalidator.metrics.redisUp)).toBe(1);
  });
});
