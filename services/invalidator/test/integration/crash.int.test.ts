import {
  newKafkaAdmin,
  newTopic,
  startPrivateRedis,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { Redis } from 'ioredis';
import { itemEvent, toMessage } from '../support/events.ts';
import { newProducer } from '../support/harness.ts';
import { startServiceProcess } from '../support/service-process.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_crash');
const { item, schema } = testRules(prefix);

describe('an instance killed with SIGKILL while Redis refuses writes', () => {
  it('loses nothing: what it fetched but could not apply is applied by the next instance', async () => {
    const privateRedis = await startPrivateRedis(cleanup);
    // A command blocked by the pause fails after the service's 5 s command timeout.
    const redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
    cleanup.add('redis probe', () => redis.disconnect());
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_crash_changes', 4);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_crash_dlq', 1);
    const producer = await newProducer(cleanup);
    const env = {
      REDIS_URL: privateRedis.url,
      TOPICS: topic,
      DLQ_TOPIC: dlqTopic,
      GROUP_ID: uniqueName('inv_crash_group'),
      TEST_KEY_PREFIX: prefix,
      // The broker's minimum: the dead member's partitions move within ~6 s.
      SESSION_TIMEOUT_MS: '6000',
    };
    let produced = 0;
    let stop = false;
    // Paced at ~2,000 changes/s, so the outage below leaves a bounded backlog.
    const load = (async () => {
      while (!stop) {
        const ids = Array.from({ length: 20 }, () => produced++);
        await Promise.all([
          producer.send({
            topic,
            messages: ids.map((id) => toMessage(itemEvent(schema, id, { mode: 'refresh', id }))),
          }),
          new Promise((resolve) => setTimeout(resolve, 10)),
        ]);
      }
    })();
    const presentFrom = async (first: number) => {
      let count = 0;
      for (let start = first; start < produced; start += 500) {
        const keys = Array.from({ length: Math.min(500, produced - start) }, (_, n) =>
          item.key({ id: start + n }),
        );
        count += await redis.exists(...keys);
      }
      return count;
    };

    const first = await startServiceProcess(cleanup, env);
    await waitFor(async () => (await presentFrom(0)) >= 300, {
      description: 'first instance applying',
    });
    // Redis stops taking writes but keeps its data (a private server: the pause is global), so
    // the first instance holds fetched changes it cannot apply (its commands time out after 5 s)...
    await redis.client('PAUSE', 60_000, 'WRITE');
    const pausedAt = produced;
    await waitFor(() => first.output().includes('not ready: Redis failed'), {
      description: 'first instance retrying',
    });
    // ...and dies with them. Nothing it fetched but did not apply may have been committed.
    first.kill('SIGKILL');
    await first.exited;
    await redis.client('UNPAUSE');

    await startServiceProcess(cleanup, env);
    const atRestart = produced;
    await waitFor(() => produced >= atRestart + 300, { description: 'load continuing' });
    stop = true;
    await load;
    let present = 0;
    await waitFor(async () => (present = await presentFrom(0)) === produced, {
      timeoutMs: 40_000,
      description: `all ${produced} changes applied`,
    }).catch(async (error: Error) => {
      const missing: number[] = [];
      for (let id = 0; id < produced; id++)
        if (!(await redis.exists(item.key({ id })))) missing.push(id);
      throw new Error(
        `${error.message}: ${present} of ${produced} present; missing ${missing.length}: first ${missing.slice(0, 5).join(',')} last ${missing.slice(-5).join(',')}; pause at ${pausedAt}, restart at ${atRestart}`,
      );
    });
  });
});
