import type { Admin } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** 1 for a single-broker development cluster; 3 in production. */
  replicationFactor?: number;
}

/**
 * Creates the topics that do not exist yet; existing ones are left as they are (their
 * partition count is never changed here, because that would move keys between partitions
 * and break per-row ordering).
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.numPartitions,
      replicationFactor: spec.replicationFactor ?? 1,
    })),
  });
  return missing.map((spec) => spec.topic);
}
