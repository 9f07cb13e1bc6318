export { createKafkaAdmin, kafkaClientOptions, type KafkaConnection } from './kafka-client.ts';
export { kafkaSecurityProblem, securityOptions } from './kafka-security.ts';
export {
  describeKafkaError,
  isTooLargeError,
  kafkaErrorNames,
  kafkaErrorType,
} from './kafka-errors.ts';
export { committedOffsets, topicEnds, topicStarts } from './offsets.ts';
export {
  ensureTopics,
  partitionCount,
  waitForTopicMetadata,
  type EnsureTopicsOptions,
  type TopicSpec,
} from './topics.ts';
export {
  type EventPublisher,
  type OutgoingMessage,
  type PublishOptions,
} from './publisher/event-publisher.ts';
export {
  PlatformaticEventPublisher,
  type PlatformaticEventPublisherOptions,
} from './publisher/platformatic-event-publisher.ts';
export { ThreadEventPublisher } from './publisher/thread-event-publisher.ts';
export { createEventPublisher, type PublisherThread } from './publisher/create-event-publisher.ts';
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
  createGroupConsumer,
  RebalanceInProgress,
  type ConsumerHealthListener,
  type GroupConsumerOptions,
} from './consumer/group-consumer.ts';
