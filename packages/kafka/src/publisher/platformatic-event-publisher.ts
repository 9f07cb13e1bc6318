import { Producer, type Admin, type MessageToProduce } from '@platformatic/kafka';
import { CloseList, FreshenError, SECOND, sleep, type Logger } from '@freshen/runtime';
import { createKafkaAdmin, kafkaClientOptions, type KafkaConnection } from '../kafka-client.ts';
import { describeKafkaError as describe, isOnly } from '../kafka-errors.ts';
import { kafkaSecurityProblem } from '../kafka-security.ts';
import type { EventPublisher, OutgoingMessage, PublishOptions } from './event-publisher.ts';
import { javaCompatiblePartition } from './java-compatible-partitioner.ts';
import { OrderedSends } from './ordered-sends.ts';
import { PartitionCounts } from './partition-counts.ts';
import { classifyProduceError } from './produce-errors.ts';
import { withTimeout } from './with-timeout.ts';

export interface PlatformaticEventPublisherOptions {
  connection: KafkaConnection;
  logger: Logger;
  /** Partitions of topics this publisher creates. */
  partitions: number;
  /** Replication factor of topics this publisher creates (1 for a one-broker dev cluster). */
  replicationFactor?: number;
  /** Upper bound for one produce request's wait for acknowledgements. Default 30 s. */
  ackTimeoutMs?: number;
}

type Value = Buffer | string;
type Outgoing = MessageToProduce<string, Value, string, string>;

/**
 * The client's own retries of one send before publish() rejects (the caller then retries the
 * whole batch). The client retries forever when idempotent unless told otherwise, which would
 * hide an outage from the dispatcher's metrics and logs.
 */
const SEND_RETRIES = 5;
/** How long a freshly created topic may take to have a leader for every partition. */
const LEADER_WAIT_MS = 10 * SECOND;

/**
 * EventPublisher on @platformatic/kafka: idempotent producer (one request in flight, acks from
 * all in-sync replicas, sequence numbers so the client's own retries never duplicate or
 * reorder a partition), one send per batch covering every topic in it. Batches handed over
 * while earlier ones are outstanding are sent only after those succeed, and none after a
 * failure until a resend (OrderedSends): left to itself the client writes a send queued behind
 * a failed one (it answers the broker's sequence error by taking a new producer id), and the
 * caller's retry of the failed one would land after it.
 */
export class PlatformaticEventPublisher implements EventPublisher {
  private readonly options: PlatformaticEventPublisherOptions;
  private readonly producer: Producer<string, Value, string, string>;
  private readonly partitionCounts = new PartitionCounts((topic) => this.lookUpOrCreate(topic));
  private readonly closeList = new CloseList();
  private readonly sends = new OrderedSends();
  private prober: Admin | undefined;

  constructor(options: PlatformaticEventPublisherOptions) {
    this.options = options;
    this.producer = new Producer<string, Value, string, string>({
      ...kafkaClientOptions(options.connection),
      idempotent: true,
      retries: SEND_RETRIES,
      timeout: options.ackTimeoutMs ?? 30 * SECOND,
      autocreateTopics: false,
      partitioner: javaCompatiblePartition,
      serializers: {
        key: (key) => (key === undefined ? undefined : Buffer.from(key, 'utf8')),
        value: (value) =>
          value === undefined || Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'),
      },
    });
    this.closeList.add('kafka producer', () => this.producer.close());
  }

  async connect(): Promise<void> {
    try {
      // The client connects lazily; this reaches the brokers and takes a producer id now, so
      // an unreachable cluster shows at start rather than at the first publish.
      await this.producer.metadata({ topics: [] });
      await this.producer.initIdempotentProducer({});
    } catch (error) {
      throw new FreshenError(
        'KAFKA_UNAVAILABLE',
        kafkaSecurityProblem(error, this.options.connection) ??
          `cannot connect to Kafka: ${describe(error)}. Check KAFKA_BROKERS and that the brokers are up.`,
        { cause: error },
      );
    }
  }

  prepareTopic(topic: string): Promise<number> {
    return this.partitionCounts.of(topic);
  }

  private newProber(): Admin {
    const { connection } = this.options;
    const prober = createKafkaAdmin(
      { ...connection, clientId: `${connection.clientId}-probe` },
      { retries: 0 },
    );
    this.closeList.add('kafka probe client', () => prober.close());
    return prober;
  }

  private async lookUpOrCreate(topic: string): Promise<number> {
    const { connection } = this.options;
    const admin = createKafkaAdmin({ ...connection, clientId: `${connection.clientId}-admin` });
    try {
      try {
        await admin.createTopics({
          topics: [topic],
          partitions: this.options.partitions,
          replicas: this.options.replicationFactor ?? 1,
        });
        this.options.logger.info({ topic, partitions: this.options.partitions }, 'created topic');
      } catch (error) {
        if (!isOnly(error, 'TOPIC_ALREADY_EXISTS')) throw error;
      }
      const started = Date.now();
      for (;;) {
        const metadata = await this.producer.metadata({ topics: [topic], forceUpdate: true });
        const partitions = metadata.topics.get(topic)?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((partition) => partition.leader >= 0))
          return partitions.length;
        if (Date.now() - started > LEADER_WAIT_MS)
          throw new Error(
            `topic ${topic} has no leader for every partition in the cluster metadata`,
          );
        await sleep(100);
      }
    } finally {
      await admin.close();
    }
  }

  publish(messages: readonly OutgoingMessage[], options?: PublishOptions): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const batch: Outgoing[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const { topic, key, value, partition } = messages[i]!;
      batch[i] = partition === undefined ? { topic, key, value } : { topic, key, value, partition };
    }
    return this.sends.run(async () => {
      try {
        await this.producer.send({ messages: batch });
      } catch (error) {
        throw classifyProduceError(error, describe);
      }
    }, options?.resend);
  }

  async probe(timeoutMs: number): Promise<void> {
    // A client of its own without retries: probing through the producer would queue metadata
    // requests (each retried by the client) in front of the producer's own while Kafka is down.
    try {
      if (this.closeList.closed) throw new Error('publisher closed');
      this.prober ??= this.newProber();
      await withTimeout(this.prober.metadata({ topics: [], forceUpdate: true }), timeoutMs);
    } catch (error) {
      throw new FreshenError('KAFKA_UNAVAILABLE', `Kafka does not answer: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  close(): Promise<void> {
    return this.closeList.close();
  }
}
