import { ListOffsetTimestamps, type Admin } from '@platformatic/kafka';

/** The group's committed offset of each partition of `topic` (-1 where nothing is committed). */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const partitions = group?.topics.find((entry) => entry.name === topic)?.partitions ?? [];
  return new Map(partitions.map((entry) => [entry.partitionIndex, entry.committedOffset]));
}

/** The end (next offset to be written) of each partition of `topic`. */
export function topicEnds(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return topicOffsets(admin, topic, ListOffsetTimestamps.LATEST);
}

/** The first offset still held of each partition of `topic` (retention moves it). */
export function topicStarts(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return topicOffsets(admin, topic, ListOffsetTimestamps.EARLIEST);
}

async function topicOffsets(
  admin: Admin,
  topic: string,
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const [listed] = await admin.listOffsets({
    topics: [
      {
        name: topic,
        partitions: Array.from({ length: count }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp,
        })),
      },
    ],
  });
  return new Map(
    (listed?.partitions ?? []).map((entry) => [entry.partitionIndex, entry.offset] as const),
  );
}
