import { backoffDelay, SECOND, sleep } from '@freshen/runtime';
import type { Admin } from 'kafkajs';
import { kafkaErrorType } from './kafka-errors.ts';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** 1 for a single-broker development cluster; 3 in production. */
  replicationFactor?: number;
  /** Topic-level settings, e.g. `{ 'max.message.bytes': '8388608' }`. */
  configEntries?: Record<string, string>;
}

export interface EnsureTopicsOptions {
  /** How long to wait until every new topic's metadata is served. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Creates the topics that do not exist yet; existing ones are left as they are (their
 * partition count is never changed here, because that would move keys between partitions
 * and break per-row ordering). Resolves only once the broker serves every new topic's
 * metadata with a leader for each partition: kafkajs's own `waitForLeaders` gives up with
 * "This server does not host this topic-partition" when a broker was just restarted (it
 * crashed the invalidator and `bench:e2e`), so creation is followed by our own wait, and a
 * topic that another instance created meanwhile counts as created.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.numPartitions,
        replicationFactor: spec.replicationFactor ?? 1,
        configEntries: Object.entries(spec.configEntries ?? {}).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    });
  } catch (error) {
    // Two instances starting together both create the DLQ: the loser's topic exists all the same.
    if (!isOnlyAlreadyExists(error)) throw error;
  }
  await waitForTopicMetadata(
    admin,
    missing.map((spec) => spec.topic),
    options.timeoutMs ?? 30 * SECOND,
  );
  return missing.map((spec) => spec.topic);
}

function isOnlyAlreadyExists(error: unknown): boolean {
  const { errors } = error as { errors?: unknown[] };
  if (Array.isArray(errors) && errors.length > 0)
    return errors.every((inner) => kafkaErrorType(inner) === 'TOPIC_ALREADY_EXISTS');
  return kafkaErrorType(error) === 'TOPIC_ALREADY_EXISTS';
}

/** Polls metadata until every partition of every topic has a leader, or throws at the deadline. */
export async function waitForTopicMetadata(
  admin: Admin,
  topics: string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    let lastError: unknown;
    try {
      const { topics: served } = await admin.fetchTopicMetadata({ topics });
      const ready =
        served.length === topics.length &&
        served.every(
          (topic) =>
            topic.partitions.length > 0 &&
            topic.partitions.every((partition) => partition.leader >= 0),
        );
      if (ready) return;
    } catch (error) {
      // UNKNOWN_TOPIC_OR_PARTITION / LEADER_NOT_AVAILABLE while the controller propagates.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `topics ${topics.join(', ')} were created but their metadata was not served within ${timeoutMs} ms`,
        lastError === undefined ? undefined : { cause: lastError },
      );
    }
    await sleep(backoffDelay(attempt, { initialMs: 50, maxMs: 500 }));
  }
}
