import { CloseList, FreshenError, SECOND, type Logger } from '@freshen/runtime';
import {
  CompressionTypes,
  type Kafka,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { ensureTopics } from '../topics.ts';
import type { EventPublisher, OutgoingMessage } from './event-publisher.ts';
import { murmur2Partitioner } from './murmur2-partitioner.ts';
import { classifyProduceError } from './produce-errors.ts';
import { withTimeout } from './with-timeout.ts';
import { PartitionCounts } from './partition-counts.ts';

export interface KafkaEventPublisherOptions {
  kafka: Kafka;
  logger: Logger;
  /** Partitions of topics this publisher creates. */
  partitions: number;
  /** Replication factor of topics this publisher creates (1 for a one-broker dev cluster). */
  replicationFactor?: number;
  /** Upper bound for one produce request's wait for acknowledgements. Default 30 s. */
  ackTimeoutMs?: number;
}

/** Kafka's "all in-sync replicas" acknowledgement level (Produce API `acks=-1`). */
const ACKS_ALL = -1;

/**
 * EventPublisher on kafkajs: idempotent producer (so its own retries never duplicate or
 * reorder a partition's messages), acks from all in-sync replicas, one produce request per
 * batch covering every topic in it.
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly options: KafkaEventPublisherOptions;
  private readonly producer: Producer;
  private readonly partitionCounts = new PartitionCounts((topic) => this.lookUpOrCreate(topic));
  private readonly closeList = new CloseList();

  constructor(options: KafkaEventPublisherOptions) {
    this.options = options;
    this.producer = options.kafka.producer({
      idempotent: true,
      // Required by kafkajs for the idempotent producer to keep a partition's order.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: murmur2Partitioner,
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw new FreshenError(
        'KAFKA_UNAVAILABLE',
        `cannot connect to Kafka: ${(error as Error).message}. Check KAFKA_BROKERS and that the brokers are up.`,
        { cause: error },
      );
    }
    this.closeList.add('kafka producer', () => this.producer.disconnect());
  }

  prepareTopic(topic: string): Promise<number> {
    return this.partitionCounts.of(topic);
  }

  private async lookUpOrCreate(topic: string): Promise<number> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const created = await ensureTopics(admin, [
        {
          topic,
          numPartitions: this.options.partitions,
          replicationFactor: this.options.replicationFactor ?? 1,
        },
      ]);
      if (created.length > 0)
        this.options.logger.info({ topic, partitions: this.options.partitions }, 'created topic');
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions.length ?? 0;
      if (partitions === 0)
        throw new Error(`topic ${topic} has no partitions in the cluster metadata`);
      return partitions;
    } finally {
      await admin.disconnect();
    }
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const message of messages) {
      let list = byTopic.get(message.topic);
      if (!list) byTopic.set(message.topic, (list = []));
      list.push(
        message.partition === undefined
          ? { key: message.key, value: message.value }
          : { key: message.key, value: message.value, partition: message.partition },
      );
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, list]) => ({
      topic,
      messages: list,
    }));
    try {
      await this.producer.sendBatch({
        topicMessages,
        acks: ACKS_ALL,
        timeout: this.options.ackTimeoutMs ?? 30 * SECOND,
        compression: CompressionTypes.None,
      });
    } catch (error) {
      throw classifyProduceError(error, (inner) => (inner as Error).message);
    }
  }

  async probe(timeoutMs: number): Promise<void> {
    // A short-lived admin: the producer has no metadata call of its own, and a probe every
    // few seconds is cheap next to the produce traffic.
    const admin = this.options.kafka.admin();
    try {
      await withTimeout(
        (async () => {
          await admin.connect();
          await admin.fetchTopicMetadata({ topics: [] });
        })(),
        timeoutMs,
      );
    } catch (error) {
      throw new FreshenError(
        'KAFKA_UNAVAILABLE',
        `Kafka does not answer: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  close(): Promise<void> {
    return this.closeList.close();
  }
}
