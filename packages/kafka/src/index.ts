export { createKafkaClient, type KafkaClientOptions } from './kafka-client.ts';
export { ensureTopics, type TopicSpec } from './topics.ts';
