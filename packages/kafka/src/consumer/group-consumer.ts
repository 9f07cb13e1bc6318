import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import { backoffDelay, CloseList, SECOND, sleep, type Logger } from '@freshen/runtime';
import { createKafkaAdmin, kafkaClientOptions, type KafkaConnection } from '../kafka-client.ts';
import type {
  BatchHandler,
  BatchOutcome,
  ChangeConsumer,
  ConsumedMessage,
  TopicSelection,
} from './change-consumer.ts';
import { OffsetCommitter } from './offset-committer.ts';
import { PartitionQueue } from './partition-queue.ts';

export interface GroupConsumerOptions {
  connection: KafkaConnection;
  groupId: string;
  selection: TopicSelection;
  logger: Logger;
  /** Partitions handled at the same time (each in order). Default 8. */
  partitionsConsumedConcurrently?: number;
  /** How often a pattern selection looks for new topics. Default 30 s. */
  topicRefreshMs?: number;
  /** Group session timeout. Default 10 s. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for data; bounds the latency of an idle partition. Default 100 ms. */
  maxWaitTimeMs?: number;
  /**
   * Least time between two offset commits (all partitions go in each). Default 100 ms: fewer
   * commits competing with fetches; a crash re-delivers at most this much more.
   */
  commitIntervalMs?: number;
  /** Longest wait between two retries of a request (reconnects, rejoins). Default 1 s. */
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

/** Messages held in memory (all partitions) before fetching pauses until handlers catch up. */
const MAX_QUEUED = 20_000;
/** Messages of one partition handed to the handler at once. */
const MAX_BATCH = 5_000;

/** Thrown by a batch's heartbeat() while the group rebalances: the batch is given up. */
export class RebalanceInProgress extends Error {
  constructor() {
    super('the consumer group is rebalancing; the batch is re-delivered');
    this.name = 'RebalanceInProgress';
  }
}

/** One group membership: the client, its message stream and what arrived from it. */
interface Membership {
  consumer: Consumer;
  stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** Partitions assigned by the last join, as `topic\0partition`. */
  assigned: Set<string>;
  queues: Map<string, PartitionQueue>;
  /** Set from the moment a rejoin begins until the join completes: no new batch starts. */
  rebalancing: boolean;
}

const partitionId = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * ChangeConsumer on @platformatic/kafka's consumer group (classic protocol). Offsets are
 * committed explicitly (autocommit off) only after the handler returned 'done', through the
 * coalescing OffsetCommitter. Messages of the stream are queued per partition and handed to
 * the handler as batches, one partition at a time in order, several partitions at once.
 *
 * Rebalance: before every JoinGroup (the client asks for our protocol metadata then) no new
 * batch starts, in-flight batches finish (a handler retrying Redis learns it from heartbeat())
 * and their commit is sent while this member still owns the partitions; after the join,
 * revoked partitions are dropped and the client re-reads each assigned partition from its
 * committed offset. A partition whose stream goes back (a re-read after rejoin) starts over
 * from there: whatever was queued or in flight beyond it is stale and never committed.
 */
export function createGroupConsumer(options: GroupConsumerOptions): ChangeConsumer {
  const { connection, groupId, selection, logger } = options;
  const health = options.health ?? NO_HEALTH;
  const log = logger.child({ groupId });
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10 * SECOND;
  const maxRetryTimeMs = options.maxRetryTimeMs ?? SECOND;
  const concurrency = options.partitionsConsumedConcurrently ?? 8;
  let closed = false;
  let stopping = false;
  let member: Membership | undefined;
  let handler: BatchHandler | undefined;
  let topics: string[] = [];
  let paused = false;
  let queued = 0;
  let active = 0;
  const waiting: PartitionQueue[] = [];
  let idleWaiters: (() => void)[] = [];
  let restarting: Promise<void> = Promise.resolve();
  let refreshTimer: NodeJS.Timeout | undefined;
  const closeList = new CloseList();
  const admin = createKafkaAdmin(connection, { retries: 1 });
  const committer = new OffsetCommitter(
    async (offsets) => {
      const current = member;
      if (!current) throw new Error('no group membership to commit through');
      await current.consumer.commit({
        offsets: offsets.map(({ topic, partition, offset }) => ({
          topic,
          partition,
          offset: BigInt(offset),
          leaderEpoch: current.queues.get(partitionId(topic, partition))?.leaderEpoch ?? -1,
        })),
      });
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

  /** Pauses the stream while Redis is down (pauseAll) or while too much waits in memory. */
  function updateFlow(): void {
    const stream = member?.stream;
    if (!stream || stream.destroyed) return;
    const hold = paused || queued >= MAX_QUEUED;
    if (hold && !stream.isPaused()) stream.pause();
    else if (!hold && stream.isPaused()) stream.resume();
  }

  function onMessage(current: Membership, message: Message<Buffer, Buffer, Buffer, Buffer>): void {
    const id = partitionId(message.topic, message.partition);
    // A fetch answered after the partition was revoked: its new owner reads it.
    if (member !== current || !current.assigned.has(id)) return;
    let queue = current.queues.get(id);
    if (!queue) {
      queue = new PartitionQueue(message.topic, message.partition);
      current.queues.set(id, queue);
    }
    queued += queue.accept(message, toConsumed(message));
    updateFlow();
    schedule(current, queue);
  }

  function schedule(current: Membership, queue: PartitionQueue): void {
    if (queue.running || queue.size === 0 || current.rebalancing || stopping) return;
    if (active >= concurrency) {
      if (!waiting.includes(queue)) waiting.push(queue);
      return;
    }
    void work(current, queue);
  }

  /** Hands the partition's queued messages to the handler, batch by batch, until none are left. */
  async function work(current: Membership, queue: PartitionQueue): Promise<void> {
    queue.running = true;
    active++;
    try {
      while (queue.size > 0 && !current.rebalancing && !stopping && member === current) {
        const batch = queue.take(MAX_BATCH);
        queued -= batch.messages.length;
        updateFlow();
        const stale = () => member !== current || !queue.owns(batch);
        let outcome: BatchOutcome = 'abandoned';
        try {
          outcome = await handler!({
            topic: queue.topic,
            partition: queue.partition,
            messages: batch.messages,
            heartbeat: async () => {
              // The client heartbeats on its own timer; a handler that waits (Redis away)
              // learns here that the group moves on and gives the batch up.
              if (current.rebalancing || member !== current) throw new RebalanceInProgress();
            },
            isRunning: () => !stopping && !closed && member === current,
            isStale: stale,
          });
        } catch (error) {
          if (error instanceof RebalanceInProgress)
            log.debug({ topic: queue.topic, partition: queue.partition }, error.message);
          else
            log.error(
              { err: error, topic: queue.topic, partition: queue.partition },
              'batch handler failed; the batch is delivered again',
            );
        }
        if (stale()) continue;
        if (outcome === 'done') {
          committer.enqueue(queue.topic, queue.partition, batch.nextOffset);
        } else {
          // Not handled: deliver the same messages again, after a short pause.
          queued += queue.putBack(batch);
          updateFlow();
          if (!stopping && !current.rebalancing) await sleep(Math.min(maxRetryTimeMs, 100));
        }
      }
    } finally {
      queue.running = false;
      active--;
      const next = waiting.shift();
      if (next && member === current) schedule(current, next);
      if (active === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Resolves once no batch is in flight, or after `timeoutMs`. */
  function idle(timeoutMs: number): Promise<void> {
    if (active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Called by the client before every JoinGroup: the partitions may move, so finish what is in
   * flight and commit it while this member still owns them (bounded: the broker waits for us
   * at most the rebalance timeout).
   */
  async function beforeJoin(current: Membership): Promise<Buffer> {
    current.rebalancing = true;
    await idle(sessionTimeoutMs / 2);
    await committer.drain();
    return Buffer.alloc(0);
  }

  function joined(current: Membership, assignments: { topic: string; partitions: number[] }[]) {
    if (member !== current) return;
    current.assigned = new Set(
      assignments.flatMap(({ topic, partitions }) => partitions.map((p) => partitionId(topic, p))),
    );
    for (const [id, queue] of current.queues) {
      if (current.assigned.has(id)) continue;
      queued -= queue.drop();
      current.queues.delete(id);
    }
    current.rebalancing = false;
    log.info({ assigned: assignments }, 'joined consumer group');
    health.joined();
    updateFlow();
    for (const queue of current.queues.values()) schedule(current, queue);
  }

  async function startConsumer(): Promise<void> {
    topics = await selectTopics();
    const consumer = new Consumer({
      ...kafkaClientOptions(connection),
      groupId,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: sessionTimeoutMs,
      // A tenth of the session: the surviving members learn of a rebalance (a dead instance's
      // session expired) within a second instead of up to 3 s later.
      heartbeatInterval: Math.max(500, Math.min(3 * SECOND, Math.floor(sessionTimeoutMs / 10))),
      maxWaitTime: options.maxWaitTimeMs ?? 100,
      autocommit: false,
      // Retry for ever, at most a second apart: a returning broker is noticed within about a
      // second, and the consumer stays the SAME group member across an outage. A new member
      // would wait for the rebalance until the old member's session expired.
      retries: Number.MAX_SAFE_INTEGER,
      retryDelay: (_client, _operation, attempt) =>
        backoffDelay(attempt, { initialMs: 100, maxMs: maxRetryTimeMs }),
      protocolsMetadata: () => beforeJoin(current),
    });
    const current: Membership = {
      consumer,
      stream: undefined,
      assigned: new Set(),
      queues: new Map(),
      rebalancing: true,
    };
    member = current;
    consumer.on('consumer:group:join', (event) => joined(current, event.assignments ?? []));
    consumer.on('consumer:heartbeat:stalled', ({ lastError, stalledFor }) => {
      // The client stops heartbeating when a rejoin failed for good: start over as a new member.
      const error = new Error(`group heartbeat stalled for ${stalledFor} ms`, { cause: lastError });
      failed(current, error);
    });
    if (topics.length === 0) {
      log.warn(
        { selection: String('pattern' in selection ? selection.pattern : '') },
        'no topics match yet',
      );
      return;
    }
    try {
      // A group that never committed on a topic (a new table) reads it from the start, or
      // the table's first changes would never be applied.
      const stream = await consumer.consume({
        topics,
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
      });
      current.stream = stream;
      stream.on('data', (message) => onMessage(current, message));
      stream.on('fetch', () => health.fetched());
      stream.on('error', (error: Error) => failed(current, error));
      updateFlow();
    } catch (error) {
      member = undefined;
      await consumer.close(true).catch(() => {});
      throw error;
    }
  }

  function failed(current: Membership, error: Error): void {
    if (member !== current) return;
    health.crashed(error, !closed);
    if (closed) return;
    // Nothing is committed past unapplied work, so starting over is always safe: the process
    // must not exit and crash-loop instead.
    log.error({ err: error }, 'consumer stopped; restarting it');
    scheduleRestart(current);
  }

  async function stopConsumer(): Promise<void> {
    const current = member;
    if (!current) return;
    // In-flight batches see isRunning() false and finish or give up; what they finished is
    // committed while still a member; then the stream closes and the member leaves the group.
    stopping = true;
    try {
      await idle(sessionTimeoutMs);
      await committer.drain();
      member = undefined;
      queued = 0;
      waiting.length = 0;
      await current.stream?.close().catch(() => {});
      await current.consumer.close(true);
    } finally {
      member = undefined;
      stopping = false;
    }
  }

  let restartAttempt = 0;
  /** Starts over after `crashed` failed (or, with undefined, after a start failed), with backoff. */
  function scheduleRestart(crashed: Membership | undefined): void {
    const delay = backoffDelay(restartAttempt++, { initialMs: 100, maxMs: maxRetryTimeMs });
    restarting = restarting
      .then(() => sleep(delay))
      .then(async () => {
        if (closed || member !== crashed) return;
        if (crashed) await stopConsumer().catch(() => {});
        await startConsumer();
        restartAttempt = 0;
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'consumer restart failed; will retry');
        health.crashed(error as Error, true);
        if (!closed && member === undefined) scheduleRestart(undefined);
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
      return member?.stream !== undefined && !member.stream.destroyed;
    },
    get hasPendingCommits() {
      return committer.hasPending;
    },
    async start(batchHandler) {
      handler = batchHandler;
      closeList.add('kafka admin', () => admin.close());
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
        const current = member;
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
          await current?.consumer.close(true).catch(() => {});
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
                if (!closed && member === undefined) scheduleRestart(undefined);
              });
          },
          options.topicRefreshMs ?? 30 * SECOND,
        );
        closeList.add('topic refresh', () => clearInterval(refreshTimer));
      }
    },
    pauseAll() {
      paused = true;
      updateFlow();
    },
    resumeAll() {
      paused = false;
      updateFlow();
    },
    close: () => closeList.close(),
  };
}

function toConsumed(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedMessage {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    key: message.key ?? null,
    value: message.value ?? null,
    timestamp: Number(message.timestamp),
  };
}
