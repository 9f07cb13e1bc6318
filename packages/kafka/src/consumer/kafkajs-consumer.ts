import { backoffDelay, CloseList, SECOND, type Logger } from '@freshen/runtime';
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
  /** Longest kafkajs waits between two retries (reconnects, rejoins). Default 1 s. */
  maxRetryTimeMs?: number;
  /** Told what the consumer is going through, for /readyz and /healthz. */
  health?: ConsumerHealthListener;
}

/** What the consumer tells the service's health: every event is cheap and may come often. */
export interface ConsumerHealthListener {
  /** A fetch round-trip completed (Kafka is reachable and serving us). */
  fetched(): void;
  /** The consumer failed; `restarting` is false only while it is stopped for good (closing). */
  crashed(error: Error, restarting: boolean): void;
  /** Joined the group (again). */
  joined(): void;
  /** An offset commit finished: undefined when Kafka took it, else the error. */
  committed(error: unknown): void;
}

const NO_HEALTH: ConsumerHealthListener = {
  fetched() {},
  crashed() {},
  joined() {},
  committed() {},
};

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
  const health = options.health ?? NO_HEALTH;
  const log = logger.child({ groupId });
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10 * SECOND;
  const maxRetryTimeMs = options.maxRetryTimeMs ?? SECOND;
  let closed = false;
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
    {
      minIntervalMs: options.commitIntervalMs ?? 100,
      retryMs: maxRetryTimeMs,
      onOutcome: (error) => health.committed(error),
    },
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
      sessionTimeout: sessionTimeoutMs,
      // A tenth of the session: the surviving members learn of a rebalance (a dead instance's
      // session expired) within a second instead of up to 3 s later.
      heartbeatInterval: Math.max(500, Math.min(3 * SECOND, Math.floor(sessionTimeoutMs / 10))),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
      // Retry for ever, at most a second apart: a returning broker is noticed within about a
      // second, and the consumer stays the SAME group member across an outage. A restarted
      // consumer would join as a new member, and the broker would hold the rebalance until
      // the old member's session expired (the whole session timeout: 10 s measured). kafkajs
      // still crashes on errors it does not retry; then it or we restart it (see CRASH below).
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: 100,
        maxRetryTime: maxRetryTimeMs,
      },
    });
    next.on(next.events.GROUP_JOIN, (event) => {
      const assigned = event.payload.memberAssignment;
      log.info({ assigned }, 'joined consumer group');
      health.joined();
      if (paused) next.pause(Object.keys(assigned).map((topic) => ({ topic })));
    });
    next.on(next.events.FETCH, () => health.fetched());
    // Commit what is done before the group moves partitions, not up to an interval later.
    next.on(next.events.REBALANCING, () => committer.flushNow());
    next.on(next.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      health.crashed(error, !closed);
      if (restart) {
        log.warn({ err: error }, 'consumer failed; kafkajs restarts it');
      } else if (!closed) {
        // kafkajs gives up on errors it does not deem retriable (a broker that just restarted
        // answers some with them). Nothing is committed past unapplied work, so starting over
        // is always safe: the process must not exit and crash-loop instead.
        log.error({ err: error }, 'consumer stopped; restarting it');
        scheduleRestart(next);
      }
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

  let restartAttempt = 0;
  /** Starts over after `crashed` stopped (or, with undefined, after a start failed), with backoff. */
  function scheduleRestart(crashed: Consumer | undefined): void {
    const delay = backoffDelay(restartAttempt++, { initialMs: 100, maxMs: maxRetryTimeMs });
    restarting = restarting
      .then(() => new Promise((resolve) => setTimeout(resolve, delay)))
      .then(async () => {
        if (closed || consumer !== crashed) return;
        if (crashed) await stopConsumer().catch(() => {});
        await startConsumer();
        restartAttempt = 0;
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'consumer restart failed; will retry');
        health.crashed(error as Error, true);
        if (!closed && consumer === undefined) scheduleRestart(undefined);
      });
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
    get hasPendingCommits() {
      return committer.hasPending;
    },
    async start(batchHandler) {
      handler = batchHandler;
      await admin.connect();
      closeList.add('kafka admin', () => admin.disconnect());
      await startConsumer();
      closeList.add('kafka consumer', async () => {
        closed = true;
        // Bounded: with Kafka away the consumer's requests retry for ever, and stopping would
        // never finish (SIGTERM would end in the forced exit). After a session timeout the
        // group has dropped this member anyway; what is not committed is re-applied by the
        // next owner (at least once).
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<'gave up'>((resolve) => {
          timer = setTimeout(() => resolve('gave up'), sessionTimeoutMs);
        });
        const stopped = (async () => {
          await restarting.catch(() => {});
          await stopConsumer();
        })();
        const outcome = await Promise.race([stopped, gaveUp]).finally(() => clearTimeout(timer));
        if (outcome === 'gave up') {
          log.warn(
            { waitedMs: sessionTimeoutMs },
            'Kafka did not answer while stopping; left without the last commit (the next owner re-applies it)',
          );
          stopped.catch(() => {});
        }
      });
      if ('pattern' in selection) {
        refreshTimer = setInterval(
          () => {
            restarting = restarting
              .then(() => refreshTopics())
              .catch((error: unknown) => {
                log.warn({ err: error }, 'topic refresh failed; will retry');
                // Stopped for the resubscribe but could not start again: do not stay stopped.
                if (!closed && consumer === undefined) scheduleRestart(undefined);
              });
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
