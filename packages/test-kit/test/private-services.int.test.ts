import { Redis } from 'ioredis';
import {
  kafkaConnection,
  newKafkaAdmin,
  newTopic,
  startPrivateKafka,
  startPrivateRedis,
  useCleanup,
} from '../src/index.ts';

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
    const admin = await newKafkaAdmin(cleanup, kafkaConnection(kafka.brokers));
    const topic = await newTopic(cleanup, admin, 'private', 2);
    await kafka.stop();
    await kafka.start();
    const again = await newKafkaAdmin(cleanup, kafkaConnection(kafka.brokers));
    expect(await again.listTopics()).toContain(topic);
  });
});
