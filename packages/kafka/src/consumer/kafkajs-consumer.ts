import { CloseList, SECOND, type Logger } from '@freshen/runtime';
import type { Consumer, EachBatchPayload, Kafka, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type {
  BatchHandler,
  ChangeConsumer,
  ConsumedMessage,
  TopicSelection,
} from './change-consumer.ts';
import { OffsetCommitter } from './offset-committer.ts';

export interface KafkajsConsumerOptions {
  kafka: Kafka;
  groupId: string;
  selection: TopicSelection;
  logger: Logger;
  /** Partitions handled at the same time (each in order). Default 8. */
  partitionsConsumedConcurrently?: number;
  /** How often a pattern selection looks for new topics. Default 30 s. */
  topicRefreshMs?: number;
  /** Group session timeout. Default 30 s. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for data; bounds the latency of an idle partition. Default 100 ms. */
  maxWaitTimeMs?: number;
  /**
   * Least time between two offset commits (all partitions go in each). Default 100 ms: fewer
   * commits competing with fetches; a crash re-delivers at most this much more.
   */
  commitIntervalMs?: number;
  /** Called when kafkajs gave up and will not restart the consumer (the service should exit). */
  onFatal?: (error: Error) => void;
}

function byTopic(offsets: TopicPartitionOffsetAndMetadata[]) {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    const partitions = topics.get(topic) ?? [];
    partitions.push({ partition, offset });
    topics.set(topic, partitions);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * The kafkajs implementation of ChangeConsumer. Offsets are resolved and committed explicitly
 * (autoCommit off) only after the handler returned 'done'; kafkajs fetches each partition from
 * its last resolved offset, so an abandoned batch is fetched again and nothing is skipped.
 * Commits are coalesced off the fetch path (OffsetCommitter). A rebalance lets in-flight
 * batches finish (kafkajs rejoins between fetches) and their commit is sent before the
 * JoinGroup on the same coordinator connection; stopping drains every commit before leaving.
 */
export function createKafkajsConsumer(options: KafkajsConsumerOptions): ChangeConsumer {
  const { kafka, groupId, selection, logger } = options;
  const log = logger.child({ groupId });
  let consumer: Consumer | undefined;
  let handler: BatchHandler | undefined;
  let topics: string[] = [];
  let running = false;
  let paused = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> = Promise.resolve();
  let stopping = false;
  const closeList = new CloseList();
  const admin = kafka.admin();
  // The commit goes through the running consumer's group (kafkajs's consumer-level
  // commitOffsets refuses once stop() began, which is exactly when the last commit matters).
  let commitVia: ((offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>) | undefined;
  const committer = new OffsetCommitter(
    async (offsets) => {
      if (!commitVia) throw new Error('no running consumer to commit through');
      await commitVia(offsets);
    },
    log,
    { minIntervalMs: options.commitIntervalMs ?? 100 },
  );

  async function selectTopics(): Promise<string[]> {
    if ('topics' in selection) return [...selection.topics];
    const exclude = new Set(selection.exclude ?? []);
    const all = await admin.listTopics();
    return all.filter((topic) => selection.pattern.test(topic) && !exclude.has(topic)).sort();
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const messages: ConsumedMessage[] = batch.messages.map((message) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      timestamp: Number(message.timestamp),
    }));
    const outcome = await handler!({
      topic: batch.topic,
      partition: batch.partition,
      messages,
      heartbeat: () => payload.heartbeat(),
      isRunning: () => payload.isRunning(),
      isStale: () => payload.isStale(),
    });
    if (outcome !== 'done' || payload.isStale()) return;
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    commitVia = (offsets) => payload.commitOffsetsIfNecessary({ topics: byTopic(offsets) });
    committer.enqueue(batch.topic, batch.partition, (BigInt(last) + 1n).toString());
    // Stopping (SIGTERM, resubscribe): kafkajs leaves the group right after the last batch
    // returns, so a batch that ends while stopping commits everything before it does.
    if (stopping || !payload.isRunning()) await committer.drain();
  }

  async function startConsumer(): Promise<void> {
    topics = await selectTopics();
    const next = kafka.consumer({
      groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30 * SECOND,
      heartbeatInterval: 3 * SECOND,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
      // A restarted consumer must not stop when Kafka blips; kafkajs restarts itself.
      retry: { retries: 10 },
    });
    next.on(next.events.GROUP_JOIN, (event) => {
      const assigned = event.payload.memberAssignment;
      log.info({ assigned }, 'joined consumer group');
      if (paused) next.pause(Object.keys(assigned).map((topic) => ({ topic })));
    });
    // Commit what is done before the group moves partitions, not up to an interval later.
    next.on(next.events.REBALANCING, () => committer.flushNow());
    next.on(next.events.CRASH, (event) => {
      log.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
      if (!event.payload.restart) options.onFatal?.(event.payload.error);
    });
    await next.connect();
    if (topics.length > 0) {
      // fromBeginning: a group that has never committed on a topic (a new table) must read
      // it from the start, or the table's first changes would never be applied.
      await next.subscribe({ topics, fromBeginning: true });
      await next.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 8,
        eachBatch,
      });
    } else {
      log.warn(
        { selection: String('pattern' in selection ? selection.pattern : '') },
        'no topics match yet',
      );
    }
    consumer = next;
    running = true;
  }

  async function stopConsumer(): Promise<void> {
    const current = consumer;
    consumer = undefined;
    running = false;
    if (!current) return;
    // Commit what is done while still a member; batches ending from now on commit
    // themselves (see eachBatch); stop() waits for them before it leaves the group.
    stopping = true;
    try {
      await committer.drain();
      await current.stop();
      await current.disconnect();
    } finally {
      stopping = false;
      commitVia = undefined;
    }
  }

  async function refreshTopics(): Promise<void> {
    const latest = await selectTopics();
    if (latest.join(',') === topics.join(',')) return;
    log.info(
      { added: latest.filter((topic) => !topics.includes(topic)) },
      'topic set changed; resubscribing',
    );
    await stopConsumer();
    await startConsumer();
  }

  return {
    get topics() {
      return topics;
    },
    get running() {
      return running;
    },
    async start(batchHandler) {
      handler = batchHandler;
      await admin.connect();
      closeList.add('kafka admin', () => admin.disconnect());
      await startConsumer();
      closeList.add('kafka consumer', async () => {
        await restarting.catch(() => {});
        await stopConsumer();
      });
      if ('pattern' in selection) {
        refreshTimer = setInterval(
          () => {
            restarting = restarting
              .then(() => refreshTopics())
              .catch((error: unknown) =>
                log.warn({ err: error }, 'topic refresh failed; will retry'),
              );
          },
          options.topicRefreshMs ?? 30 * SECOND,
        );
        closeList.add('topic refresh', () => clearInterval(refreshTimer));
      }
    },
    pauseAll() {
      paused = true;
      consumer?.pause(topics.map((topic) => ({ topic })));
    },
    resumeAll() {
      paused = false;
      consumer?.resume(topics.map((topic) => ({ topic })));
    },
    close: () => closeList.close(),
  };
}
