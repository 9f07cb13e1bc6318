import {
  newKafkaAdmin,
  newRedis,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { removeTestKeys } from '../support/test-keys.ts';
import { toMessage } from '../support/events.ts';
import { newProducer } from '../support/harness.ts';
import { startServiceProcess } from '../support/service-process.ts';
import { structureEvent, structureRules } from '../support/structure-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_scrash');
const { leaderboard, schema } = structureRules(prefix);
const redis = newRedis(cleanup);
const PRODUCTS = 100;

describe('a leaderboard kept while its invalidator is SIGKILLed', () => {
  it('ends equal to the rows: the next instance replays the uncommitted prefix in order', async () => {
    cleanup.add('keys', () => removeTestKeys(redis, prefix));
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_scrash_changes', 2);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_scrash_dlq', 1);
    const producer = await newProducer(cleanup);
    const env = {
      TOPICS: topic,
      DLQ_TOPIC: dlqTopic,
      GROUP_ID: uniqueName('inv_scrash_group'),
      TEST_KEY_PREFIX: prefix,
      RULES_MODULE: './test/support/structure-rules-module.ts',
      // The broker's minimum: the dead member's partitions move within ~6 s.
      SESSION_TIMEOUT_MS: '6000',
    };
    const first = await startServiceProcess(cleanup, env);

    // Each product's units only grow; every 7th change deletes the row, the next re-inserts it.
    const expected = new Map<number, number>();
    let sequence = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const events = Array.from({ length: 20 }, () => {
          const id = sequence % PRODUCTS;
          const units = ++sequence;
          if (units % 7 === 0 && expected.has(id)) {
            expected.delete(id);
            return structureEvent(schema, 'products', 'delete', { key: { id } });
          }
          const op = expected.has(id) ? 'update' : 'insert';
          expected.set(id, units);
          return structureEvent(schema, 'products', op, {
            key: { id },
            new: { id, units_sold: units, listed: true },
          });
        });
        await Promise.all([
          producer.send({ topic, messages: events.map(toMessage) }),
          new Promise((resolve) => setTimeout(resolve, 10)),
        ]);
      }
    })();

    await waitFor(async () => (await redis.zcard(leaderboard.key({}))) >= PRODUCTS / 2, {
      description: 'the first instance applying',
    });
    first.kill('SIGKILL');
    await first.exited;
    await startServiceProcess(cleanup, env);
    await waitFor(async () => sequence > 4000, { description: 'more changes after the kill' });
    stop = true;
    await load;

    const want = [...expected]
      .sort(([a, x], [b, y]) => x - y || String(a).localeCompare(String(b)))
      .flatMap(([id, units]) => [String(id), String(units)]);
    await waitFor(
      async () =>
        JSON.stringify(await redis.zrange(leaderboard.key({}), 0, -1, 'WITHSCORES')) ===
        JSON.stringify(want),
      { timeoutMs: 60_000, description: 'the leaderboard equal to the rows' },
    );
  });
});
