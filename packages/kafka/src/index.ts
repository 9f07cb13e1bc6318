export { createKafkaClient, type KafkaClientOptions } from './kafka-client.ts';
export { isTooLargeError, kafkaErrorType } from './kafka-errors.ts';
export {
  ensureTopics,
  waitForTopicMetadata,
  type EnsureTopicsOptions,
  type TopicSpec,
} from './topics.ts';
export { type EventPublisher, type OutgoingMessage } from './publisher/event-publisher.ts';
export {
  KafkaEventPublisher,
  type KafkaEventPublisherOptions,
} from './publisher/kafka-event-publisher.ts';
// PlatformaticEventPublisher is exported from '@freshen/kafka/platformatic' only (ESM-only client).
export { javaCompatiblePartition } from './publisher/java-compatible-partitioner.ts';
export {
  type BatchHandler,
  type BatchOutcome,
  type ChangeConsumer,
  type ConsumedBatch,
  type ConsumedMessage,
  type TopicSelection,
} from './consumer/change-consumer.ts';
export {
  createDeadLetterProducer,
  DEAD_LETTER_HEADERS,
  REFERENCE_PREFIX_BYTES,
  type DeadLetter,
  type DeadLetterForm,
  type DeadLetterReference,
  type DeadLetterProducer,
} from './consumer/dead-letter-producer.ts';
export {
  createKafkajsConsumer,
  type ConsumerHealthListener,
  type KafkajsConsumerOptions,
} from './consumer/kafkajs-consumer.ts';
