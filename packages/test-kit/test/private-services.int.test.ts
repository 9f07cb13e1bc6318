import { Redis } from 'ioredis';
import { logLevel, Kafka } from 'kafkajs';
import { startPrivateKafka, startPrivateRedis, uniqueName, useCleanup } from '../src/index.ts';

const cleanup = useCleanup();

describe('private services for fault tests', () => {
  it('a private Redis can be stopped and started again', async () => {
    const redis = await startPrivateRedis(cleanup);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    cleanup.add('client', () => client.disconnect());
    await client.set('k', 'v');
    await redis.stop();
    await expect(client.get('k')).rejects.toThrow();
    await redis.start();
    await expect(client.ping()).resolves.toBe('PONG');
  });

  it('a private Kafka keeps its topics across a kill and restart', async () => {
    const kafka = await startPrivateKafka(cleanup);
    const client = new Kafka({ clientId: 't', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const topic = uniqueName('private');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    await kafka.stop();
    await kafka.start();
    const again = client.admin();
    await again.connect();
    expect(await again.listTopics()).toContain(topic);
    await again.disconnect();
  });
});
