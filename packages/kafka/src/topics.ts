import type { Admin } from '@platformatic/kafka';
import { backoffDelay, SECOND, sleep } from '@freshen/runtime';
import { isOnly } from './kafka-errors.ts';

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
 * metadata with a leader for each partition (a broker that was just restarted answers
 * "This server does not host this topic-partition" for a while), and a topic that another
 * instance created meanwhile counts as created.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  // One request per topic: partitions and replicas are per request in this client.
  for (const spec of missing) {
    try {
      await admin.createTopics({
        topics: [spec.topic],
        partitions: spec.numPartitions,
        replicas: spec.replicationFactor ?? 1,
        configs: Object.entries(spec.configEntries ?? {}).map(([name, value]) => ({
          name,
          value,
        })),
      });
    } catch (error) {
      // Two instances starting together both create the DLQ: the loser's topic exists all the same.
      if (!isOnly(error, 'TOPIC_ALREADY_EXISTS')) throw error;
    }
  }
  await waitForTopicMetadata(
    admin,
    missing.map((spec) => spec.topic),
    options.timeoutMs ?? 30 * SECOND,
  );
  return missing.map((spec) => spec.topic);
}

/** Partition count of `topic` as the cluster serves it now; 0 when it is unknown. */
export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  return metadata.topics.get(topic)?.partitionsCount ?? 0;
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
      const { topics: served } = await admin.metadata({ topics, forceUpdate: true });
      const ready = topics.every((topic) => {
        const partitions = served.get(topic)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((partition) => partition.leader >= 0);
      });
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
