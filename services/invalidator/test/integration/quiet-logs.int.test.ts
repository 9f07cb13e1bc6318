import {
  freePort,
  jsonLines,
  newKafkaAdmin,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { startServiceProcess } from '../support/service-process.ts';

const cleanup = useCleanup();

describe('invalidator process with Redis unreachable', () => {
  it('regression: ioredis printed plain text on stderr, SIGHUP killed it without a drain, POST was answered like GET', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_quiet_changes');
    const dlqTopic = await newTopic(cleanup, admin, 'inv_quiet_dlq');
    const opsPort = await freePort();
    const deadRedisPort = await freePort(); // nothing listens there
    const service = await startServiceProcess(cleanup, {
      REDIS_URL: `redis://:s3cret@127.0.0.1:${deadRedisPort}`,
      TOPICS: topic,
      DLQ_TOPIC: dlqTopic,
      GROUP_ID: uniqueName('inv_quiet_group'),
      OPS_HOST: '127.0.0.1',
      METRICS_PORT: String(opsPort),
    });
    await waitFor(() => service.output().includes('"condition":"redis"'), {
      description: `a JSON line about the Redis error (output: ${service.output()})`,
    });

    const base = `http://127.0.0.1:${opsPort}`;
    const post = await fetch(`${base}/readyz`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${base}/readyz`)).status).toBe(503); // Redis is down

    service.kill('SIGHUP');
    expect(await service.exited).toBe(0);
    const lines = jsonLines(service.output());
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SIGHUP: draining and stopping/),
        'stopped cleanly',
      ]),
    );
    expect(service.output()).not.toContain('s3cret');
  });
});
