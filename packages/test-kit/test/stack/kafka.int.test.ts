import {
  newKafkaAdmin,
  newTestProducer,
  newTopic,
  readMessages,
  uniqueName,
  useCleanup,
} from '../../src/index.ts';

const cleanup = useCleanup();

describe('stack: Kafka (KRaft, from Maven jars)', () => {
  it('round-trips a message: produce with acks=all, consume in a group', async () => {
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'smoke');
    const producer = await newTestProducer(cleanup);
    const value = uniqueName('payload');
    await producer.send({ topic, messages: [{ key: 'public.users:1', value }] });

    const received = await readMessages(cleanup, topic, 1);
    expect(received.map((message) => `${message.key}=${message.value}`)).toEqual([
      `public.users:1=${value}`,
    ]);
  });
});
