// The Kafka reads behind `freshen status` and `freshen dlq`, on @platformatic/kafka: topics,
// partition ends, a group's members and committed offsets. One small file, so the commands
// never see the client's types.
import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import { kafkaClientOptions, kafkaSecurityProblem, type KafkaConnection } from '@freshen/kafka';
import { FreshenError, SECOND } from '@freshen/runtime';

export interface PartitionRange {
  partition: number;
  /** First offset still held (retention may have removed older ones). */
  start: bigint;
  /** The next offset to be written. */
  end: bigint;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** `topic/partition` it owns. */
  assigned: string[];
}

export interface GroupDescription {
  state: string;
  members: GroupMember[];
  /** topic -> partition -> committed offset (the next offset the group will read). */
  committed: Map<string, Map<number, bigint>>;
}

/**
 * The longest any one Kafka call may take. The client's own request timeout does not fire when
 * a broker accepts the connection but never answers (a frozen process, a half-dead host), so
 * the command bounds each call itself (regression: `freshen status` hung with Kafka frozen).
 */
const CALL_DEADLINE_MS = 10 * SECOND;

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / SECOND} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** An admin client that fails fast: a status at 3 a.m. must not hang on a dead broker. */
export class KafkaAdmin {
  private readonly admin: Admin;
  private readonly connection: KafkaConnection;

  constructor(connection: KafkaConnection) {
    this.connection = connection;
    this.admin = new Admin({ ...kafkaClientOptions(connection), timeout: 5 * SECOND, retries: 1 });
  }

  /** Names of the topics whose name starts with `prefix`. */
  async topicsWithPrefix(prefix: string): Promise<string[]> {
    const topics = await this.call(() => this.admin.listTopics());
    return topics.filter((topic) => topic.startsWith(prefix)).sort();
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await this.call(() => this.admin.listTopics())).includes(topic);
  }

  /** Start and end of every partition of each topic. */
  async ranges(topics: readonly string[]): Promise<Map<string, PartitionRange[]>> {
    const result = new Map<string, PartitionRange[]>();
    if (topics.length === 0) return result;
    const metadata = await this.call(() => this.admin.metadata({ topics: [...topics] }));
    const request = (timestamp: bigint) =>
      [...metadata.topics].map(([name, topic]) => ({
        name,
        partitions: topic.partitions.map((_, partitionIndex) => ({ partitionIndex, timestamp })),
      }));
    const [starts, ends] = await Promise.all([
      this.call(() => this.admin.listOffsets({ topics: request(ListOffsetTimestamps.EARLIEST) })),
      this.call(() => this.admin.listOffsets({ topics: request(ListOffsetTimestamps.LATEST) })),
    ]);
    for (const topic of ends) {
      const startOf = new Map(
        starts
          .find((t) => t.name === topic.name)
          ?.partitions.map((p) => [p.partitionIndex, p.offset]) ?? [],
      );
      result.set(
        topic.name,
        topic.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            start: startOf.get(p.partitionIndex) ?? 0n,
            end: p.offset,
          }))
          .sort((a, b) => a.partition - b.partition),
      );
    }
    return result;
  }

  /** The group's state, members with their assignments, and committed offsets. */
  async group(groupId: string): Promise<GroupDescription> {
    const [groups, offsets] = await Promise.all([
      this.call(() => this.admin.describeGroups({ groups: [groupId] })),
      this.call(() => this.admin.listConsumerGroupOffsets({ groups: [groupId] })),
    ]);
    const group = groups.get(groupId);
    const members: GroupMember[] = [...(group?.members.values() ?? [])].map((member) => ({
      memberId: member.id,
      clientId: member.clientId,
      host: member.clientHost,
      assigned: [...(member.assignments?.entries() ?? [])].flatMap(([topic, assignment]) =>
        assignment.partitions.map((partition) => `${topic}/${partition}`),
      ),
    }));
    const committed = new Map<string, Map<number, bigint>>();
    for (const topic of offsets.find((g) => g.groupId === groupId)?.topics ?? []) {
      committed.set(
        topic.name,
        new Map(topic.partitions.map((p) => [p.partitionIndex, p.committedOffset])),
      );
    }
    return { state: group?.state ?? 'UNKNOWN', members, committed };
  }

  /** Commits `offsets` (topic -> partition -> next offset) for a group that has no members. */
  async commit(groupId: string, topic: string, offsets: Map<number, bigint>): Promise<void> {
    await this.call(() =>
      this.admin.alterConsumerGroupOffsets({
        groupId,
        topics: [
          {
            name: topic,
            partitionOffsets: [...offsets].map(([partition, offset]) => ({ partition, offset })),
          },
        ],
      }),
    );
  }

  /** Closes the client; a broker that stopped answering cannot hold the command open. */
  async close(): Promise<void> {
    await withDeadline(this.admin.close(), CALL_DEADLINE_MS).catch(() => {});
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(operation(), CALL_DEADLINE_MS);
    } catch (error) {
      throw kafkaUnavailable(this.connection, error);
    }
  }
}

/** One line: a refused login or certificate names the setting to fix, else the brokers to check. */
export function kafkaUnavailable(connection: KafkaConnection, error: unknown): FreshenError {
  const security = kafkaSecurityProblem(error, connection);
  return new FreshenError(
    'KAFKA_UNAVAILABLE',
    security ??
      `Kafka at ${connection.brokers.join(',')} did not answer (${describe(error)}); check KAFKA_BROKERS and that the brokers are up`,
    { cause: error },
  );
}

function describe(error: unknown): string {
  const inner = (error as { errors?: unknown[] }).errors?.[0];
  const message = (error as Error).message ?? String(error);
  return inner instanceof Error ? `${message}: ${inner.message}` : message;
}
