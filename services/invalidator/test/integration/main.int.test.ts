import {
  committedOffsets,
  jsonLines,
  newKafkaAdmin,
  newRedis,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { itemEvent, toMessage } from '../support/events.ts';
import { newProducer } from '../support/harness.ts';
import { runServiceToExit, startServiceProcess } from '../support/service-process.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_main');
const { item, schema } = testRules(prefix);
const redis = newRedis(cleanup);

describe('main.ts as a process', () => {
  it('loads RULES_MODULE, applies changes, and on SIGTERM commits what it applied and exits 0', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_main_changes', 2);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_main_dlq', 1);
    const groupId = uniqueName('inv_main_group');
    const producer = await newProducer(cleanup);
    const keys = Array.from({ length: 50 }, (_, id) => item.key({ id }));
    await redis.mset(...keys.flatMap((key) => [key, 'cached']));
    cleanup.add('keys', () => redis.unlink(...keys));

    const service = await startServiceProcess(cleanup, {
      TOPICS: topic,
      DLQ_TOPIC: dlqTopic,
      GROUP_ID: groupId,
      TEST_KEY_PREFIX: prefix,
    });
    await producer.send({
      topic,
      messages: keys.map((_, id) => toMessage(itemEvent(schema, id, {}))),
    });
    await waitFor(async () => (await redis.exists(...keys)) === 0, {
      description: 'keys deleted by the process',
    });

    service.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const committed = await committedOffsets(admin, groupId, topic);
    const total = [...committed.values()].reduce((sum, offset) => sum + Number(offset), 0);
    expect(total).toBe(keys.length);
    expect(service.output()).toContain('stopped cleanly');
  });

  it('refuses to start on bad configuration, one JSON line per problem', async () => {
    const { code, stdout, stderr } = await runServiceToExit(cleanup, {
      RULES_MODULE: './test/support/rules-module.ts',
      REDIS_MODE: 'cluster',
      REDIS_CLUSTER_NODES: '',
      METRICS_PORT: 'nope',
    });
    expect(code).toBe(78);
    expect(stderr).toBe('');
    expect(jsonLines(stdout).map((line) => line.msg)).toEqual([
      expect.stringMatching(/^METRICS_PORT="nope" is invalid/),
    ]);
  });
});
