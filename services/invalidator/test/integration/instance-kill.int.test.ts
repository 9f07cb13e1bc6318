import {
  newKafkaAdmin,
  newRedis,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { itemEvent, toMessage } from '../support/events.ts';
import { reportFigure } from '../support/figures.ts';
import { newProducer } from '../support/harness.ts';
import { startServiceProcess } from '../support/service-process.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_kill');
const { item, schema } = testRules(prefix);
const redis = newRedis(cleanup);
const PARTITIONS = 4;

describe('one of two instances SIGKILLed', () => {
  it('the survivor takes its partitions over with the default session timeout, losing nothing (figure printed)', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_kill_changes', PARTITIONS);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_kill_dlq', 1);
    const groupId = uniqueName('inv_kill_group');
    const producer = await newProducer(cleanup);
    // SESSION_TIMEOUT_MS left at its default.
    const env = { TOPICS: topic, DLQ_TOPIC: dlqTopic, GROUP_ID: groupId, TEST_KEY_PREFIX: prefix };
    const first = await startServiceProcess(cleanup, env);
    await startServiceProcess(cleanup, env);
    await waitFor(
      async () => {
        const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
        return /^stable$/i.test(group?.state ?? '') && group?.members.size === 2;
      },
      { timeoutMs: 30_000, description: 'both instances in the group' },
    );

    let nextId = 0;
    const sent: { id: number; partition: number; at: number }[] = [];
    const produceRound = async () => {
      const round = Array.from({ length: PARTITIONS }, (_, partition) => ({
        id: nextId++,
        partition,
        at: Date.now(),
      }));
      sent.push(...round);
      await producer.send({
        topic,
        messages: round.map(({ id, partition }) => ({
          ...toMessage(itemEvent(schema, id, { mode: 'refresh', id })),
          partition,
        })),
      });
    };
    const keys = () => sent.map(({ id }) => item.key({ id }));
    cleanup.add('keys', async () => {
      if (sent.length > 0) await redis.unlink(...keys());
    });
    await produceRound();
    await waitFor(async () => (await redis.exists(...keys())) === sent.length, {
      description: 'both instances applying',
    });

    first.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const recoveredAt = new Map<number, number>();
    await waitFor(
      async () => {
        await produceRound();
        for (const { id, partition, at } of sent) {
          if (at < killedAt || recoveredAt.has(partition)) continue;
          if ((await redis.exists(item.key({ id }))) === 1) recoveredAt.set(partition, Date.now());
        }
        return recoveredAt.size === PARTITIONS;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: 'every partition applying again' },
    );
    reportFigure(
      'instance SIGKILLed -> every partition applying again (SESSION_TIMEOUT_MS default)',
      Math.max(...recoveredAt.values()) - killedAt,
    );
    // Nothing lost: every change sent, before and after the kill, is applied.
    await waitFor(async () => (await redis.exists(...keys())) === sent.length, {
      timeoutMs: 20_000,
      description: 'every change applied',
    });
  }, 120_000);
});
