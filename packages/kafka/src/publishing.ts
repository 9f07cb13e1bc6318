/**
 * `@freshen/kafka/publishing`: the publishing side without the Kafka client. Nothing here
 * loads @platformatic/kafka on the importing thread (see createEventPublisher), so a process
 * that publishes through the worker thread keeps the client's memory to that thread. Types are
 * re-exported with `export type`: an inline `type` modifier would still load their modules.
 */
export { createEventPublisher, PUBLISHER_THREADS } from './publisher/create-event-publisher.ts';
export type { PublisherThread } from './publisher/create-event-publisher.ts';
export type {
  EventPublisher,
  OutgoingMessage,
  PublishOptions,
} from './publisher/event-publisher.ts';
export type { PlatformaticEventPublisherOptions } from './publisher/platformatic-event-publisher.ts';
