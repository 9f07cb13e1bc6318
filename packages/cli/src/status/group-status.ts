import type { KafkaAdmin, PartitionRange } from '../kafka/kafka-admin.ts';

export interface PartitionLag {
  topic: string;
  partition: number;
  end: string;
  /** The group's committed offset, or null when it never committed here. */
  committed: string | null;
  /** Messages not yet applied: end - committed (end - start when nothing was committed). */
  lag: number;
}

export interface GroupStatus {
  group: string;
  state: string;
  members: { memberId: string; clientId: string; host: string; assigned: string[] }[];
  partitions: PartitionLag[];
  lag: number;
}

/** The group's members and its lag on every partition of the change topics (`<prefix>.*`). */
export async function readGroupStatus(
  admin: KafkaAdmin,
  group: string,
  topicPrefix: string,
  dlqTopic: string,
): Promise<GroupStatus> {
  const description = await admin.group(group);
  const topics = new Set(
    (await admin.topicsWithPrefix(`${topicPrefix}.`)).filter((topic) => topic !== dlqTopic),
  );
  for (const topic of description.committed.keys()) topics.add(topic);
  const ranges = await admin.ranges([...topics].sort());
  const partitions = [...ranges].flatMap(([topic, parts]) =>
    parts.map((range) =>
      lagOf(topic, range, description.committed.get(topic)?.get(range.partition)),
    ),
  );
  return {
    group,
    state: description.state,
    members: description.members,
    partitions,
    lag: partitions.reduce((sum, p) => sum + p.lag, 0),
  };
}

function lagOf(topic: string, range: PartitionRange, committed: bigint | undefined): PartitionLag {
  // -1 is Kafka's "no committed offset"; a commit below the start was removed by retention.
  const known = committed !== undefined && committed >= 0n ? committed : undefined;
  const from = known === undefined || known < range.start ? range.start : known;
  return {
    topic,
    partition: range.partition,
    end: range.end.toString(),
    committed: known === undefined ? null : known.toString(),
    lag: Number(range.end > from ? range.end - from : 0n),
  };
}
