import {
  newKafka,
  newKafkaAdmin,
  newTopic,
  uniqueName,
  useCleanup,
  waitFor,
} from '../../src/index.ts';

const cleanup = useCleanup();

describe('stack: Kafka (KRaft, from Maven jars)', () => {
  it('round-trips a message through kafkajs: produce with acks=all, consume in a group', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'smoke');
    const kafka = newKafka();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    cleanup.add('producer', () => producer.disconnect());
    const value = uniqueName('payload');
    await producer.send({ topic, acks: -1, messages: [{ key: 'public.users:1', value }] });

    const consumer = kafka.consumer({ groupId: uniqueName('smoke') });
    await consumer.connect();
    cleanup.add('consumer', () => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(`${message.key?.toString()}=${message.value?.toString()}`);
      },
    });
    await waitFor(() => received.length > 0, { description: 'the message to come back' });
    expect(received).toEqual([`public.users:1=${value}`]);
  });
});
