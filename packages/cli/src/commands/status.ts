import { readCliConfig, requireDatabase, requireKafka } from '../cli-config.ts';
import type { Command } from '../cli/command.ts';
import { connectPostgres, connectRedis } from '../cli/connections.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions, positiveInteger } from '../cli/parse-options.ts';
import { dlqReplayGroup } from '../dlq/dlq-replay-group.ts';
import { KafkaAdmin } from '../kafka/kafka-admin.ts';
import type { KafkaConnection } from '@freshen/kafka';
import { formatTable } from '../output/table.ts';
import { readGroupStatus, type GroupStatus } from '../status/group-status.ts';
import { readRedisStatus, type RedisServerStatus } from '../status/redis-status.ts';
import { readSlotStatus, type SlotStatus } from '../status/slot-status.ts';

const GIB = 1024 ** 3;

export interface PipelineStatus {
  slots: (SlotStatus & { lagGrowing: boolean })[];
  groups: (GroupStatus & { lagGrowing: boolean })[];
  dlq: { topic: string; held: number; unreplayed: number } | null;
  redis: RedisServerStatus[];
  /** One line per thing that needs attention; empty when all is well. */
  attention: string[];
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'is it flowing, how far behind: slots, readers, consumer groups, DLQ, Redis',
  usage: `usage: freshen status [--slot <name>]... [--group <id>]... [--interval-ms N]
                      [--max-wal-bytes N] [--max-evictions N] [--json]
  Per slot (default SLOT_NAME): active and standby readers, confirmed LSN, lag in bytes and
  seconds, WAL retained, wal_status, inactive since. Per consumer group (default GROUP_ID):
  members and lag per partition of the <TOPIC_PREFIX>.* topics. DLQ depth: letters not yet
  replayed. Redis: used memory and its limit, eviction policy, evictions/s, clients, hit rate.
  Lags and evictions are sampled twice, --interval-ms apart (default 1000).
  Needs attention (exit 1, one line each): slot missing, not streaming, wal_status lost or
  unreserved, WAL retained above --max-wal-bytes (default 1 GiB), slot or group lag growing
  (between the samples with no progress, or by over half and 16 MiB / 1000 messages),
  a group without members, dead letters not replayed, evictions above --max-evictions/s
  (default 100), Postgres, Kafka or Redis unreachable.
  exit 0 healthy, 1 something needs attention (named on stderr and in "attention")`,
  async run(context) {
    const { values } = parseOptions(context.argv, {
      slot: { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
      'interval-ms': { type: 'string' },
      'max-wal-bytes': { type: 'string' },
      'max-evictions': { type: 'string' },
    });
    const intervalMs = positiveInteger(values['interval-ms'], 'interval-ms') ?? 1000;
    const maxWal = positiveInteger(values['max-wal-bytes'], 'max-wal-bytes') ?? GIB;
    const maxEvictions = positiveInteger(values['max-evictions'], 'max-evictions') ?? 100;
    const config = readCliConfig(context.env, context.cwd);
    const slots = values.slot ?? [config.slotName];
    const groups = values.group ?? [config.groupId];
    const status: PipelineStatus = { slots: [], groups: [], dlq: null, redis: [], attention: [] };
    const attention = (line: string) => status.attention.push(line);

    // The three sources are read at once; each one's failure is an attention line, not a crash.
    await Promise.all([
      readSlots(requireDatabase(config), slots, intervalMs, status, attention, maxWal),
      readKafka(
        requireKafka(config),
        groups,
        config.topicPrefix,
        config.dlqTopic,
        intervalMs,
        status,
        attention,
      ),
      connectRedis(config.redis).then(
        async (redis) => {
          try {
            status.redis = await readRedisStatus(redis, intervalMs);
            for (const server of status.redis) {
              if (server.evictionsPerSecond > maxEvictions)
                attention(
                  `Redis ${server.node} evicts ${server.evictionsPerSecond} keys/s (above ${maxEvictions}/s): raise maxmemory or lower TTLs`,
                );
            }
          } finally {
            redis.disconnect();
          }
        },
        (error: unknown) => attention(`Redis unreachable: ${(error as Error).message}`),
      ),
    ]);

    if (values.json) context.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else context.stdout.write(`${humanStatus(status)}\n`);
    for (const line of status.attention) context.stderr.write(`attention: ${line}\n`);
    return status.attention.length === 0 ? EXIT.OK : EXIT.ATTENTION;
  },
};

async function readSlots(
  databaseUrl: string,
  slots: string[],
  intervalMs: number,
  status: PipelineStatus,
  attention: (line: string) => void,
  maxWal: number,
): Promise<void> {
  let db;
  try {
    db = await connectPostgres(databaseUrl);
  } catch (error) {
    attention(`Postgres unreachable: ${(error as Error).message}`);
    return;
  }
  try {
    const first = await Promise.all(slots.map((slot) => readSlotStatus(db, slot)));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    for (const [index, slot] of slots.entries()) {
      const now = await readSlotStatus(db, slot);
      const before = first[index]!;
      const lagGrowing =
        now.lagBytes !== null &&
        before.lagBytes !== null &&
        isGrowing(
          before.lagBytes,
          now.lagBytes,
          now.confirmedFlushLsn === before.confirmedFlushLsn,
          16 * 1024 ** 2,
        );
      status.slots.push({ ...now, lagGrowing });
      if (!now.exists) {
        attention(
          `slot ${slot} does not exist: it was dropped or never created; see docs/runbook.md "Slot dropped"`,
        );
        continue;
      }
      if (!now.active)
        attention(
          `slot ${slot} is not streaming (no active reader${now.readers.standby > 0 ? `, ${now.readers.standby} waiting` : ''}); WAL is piling up: start freshen reader`,
        );
      if (now.walStatus === 'lost' || now.walStatus === 'unreserved')
        attention(
          `slot ${slot} wal_status is ${now.walStatus}: WAL it needs is ${now.walStatus === 'lost' ? 'gone; the slot must be re-created and the cache backfilled' : 'about to be removed'}`,
        );
      if ((now.walRetainedBytes ?? 0) > maxWal)
        attention(
          `slot ${slot} retains ${now.walRetainedBytes} bytes of WAL (above ${maxWal}); see docs/runbook.md "WAL growing"`,
        );
      if (lagGrowing)
        attention(`slot ${slot} lag is growing (${before.lagBytes} -> ${now.lagBytes} bytes)`);
    }
  } finally {
    await db.end();
  }
}

async function readKafka(
  kafka: KafkaConnection,
  groups: string[],
  topicPrefix: string,
  dlqTopic: string,
  intervalMs: number,
  status: PipelineStatus,
  attention: (line: string) => void,
): Promise<void> {
  const admin = new KafkaAdmin(kafka);
  try {
    const first = await Promise.all(
      groups.map((group) => readGroupStatus(admin, group, topicPrefix, dlqTopic)),
    );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    for (const [index, group] of groups.entries()) {
      const now = await readGroupStatus(admin, group, topicPrefix, dlqTopic);
      const lagGrowing = isGrowing(
        first[index]!.lag,
        now.lag,
        committedTotal(now) === committedTotal(first[index]!),
        1000,
      );
      status.groups.push({ ...now, lagGrowing });
      if (now.members.length === 0)
        attention(
          `consumer group ${group} has no members: no invalidator is running; start freshen invalidator`,
        );
      if (lagGrowing)
        attention(
          `consumer group ${group} lag is growing (${first[index]!.lag} -> ${now.lag} messages)`,
        );
    }
    if (await admin.topicExists(dlqTopic)) {
      const ranges = (await admin.ranges([dlqTopic])).get(dlqTopic) ?? [];
      const replayed = (await admin.group(dlqReplayGroup(groups[0]!))).committed.get(dlqTopic);
      let held = 0;
      let unreplayed = 0;
      for (const range of ranges) {
        held += Number(range.end - range.start);
        const mark = replayed?.get(range.partition) ?? -1n;
        const from = mark > range.start ? mark : range.start;
        unreplayed += Number(range.end > from ? range.end - from : 0n);
      }
      status.dlq = { topic: dlqTopic, held, unreplayed };
      if (unreplayed > 0)
        attention(
          `${unreplayed} dead letter${unreplayed === 1 ? '' : 's'} in ${dlqTopic} not replayed: freshen dlq list, fix the rule, freshen dlq replay`,
        );
    }
  } catch (error) {
    attention(`Kafka unreachable: ${(error as Error).message}`);
  } finally {
    await admin.close().catch(() => {});
  }
}

/**
 * Lag that grows between the two samples, either with no progress at all (nothing confirmed or
 * committed: stopped or stuck) or by more than half and `floor` (falling behind). A healthy
 * consumer under load makes lag wobble between samples; that is not "growing".
 */
function isGrowing(before: number, now: number, stalled: boolean, floor: number): boolean {
  if (now <= before) return false;
  return stalled || (now - before > floor && now > before * 1.5);
}

function committedTotal(group: GroupStatus): bigint {
  return group.partitions.reduce((sum, p) => sum + BigInt(p.committed ?? '0'), 0n);
}

function humanStatus(status: PipelineStatus): string {
  const sections: string[] = [];
  sections.push(
    formatTable(
      status.slots.map((s) => ({
        slot: s.slot,
        active: s.exists ? s.active : 'MISSING',
        readers: `${s.readers.active} active, ${s.readers.standby} standby`,
        confirmed: s.confirmedFlushLsn,
        'lag bytes': s.lagBytes,
        'lag s': s.lagSeconds === null ? null : s.lagSeconds.toFixed(1),
        'WAL retained': s.walRetainedBytes,
        wal_status: s.walStatus,
        'inactive since': s.inactiveSince,
      })),
      [
        'slot',
        'active',
        'readers',
        'confirmed',
        'lag bytes',
        'lag s',
        'WAL retained',
        'wal_status',
        'inactive since',
      ],
    ),
  );
  for (const group of status.groups) {
    sections.push(
      `group ${group.group} (${group.state}): ${group.members.length} members, lag ${group.lag}${group.lagGrowing ? ' (growing)' : ''}\n` +
        (group.partitions.length === 0
          ? 'no partitions: no change topics and no committed offsets'
          : formatTable(
              group.partitions.map((p) => ({
                ...p,
                owner: ownerOf(group, `${p.topic}/${p.partition}`),
              })),
              ['topic', 'partition', 'end', 'committed', 'lag', 'owner'],
            )),
    );
  }
  if (status.dlq)
    sections.push(
      `dlq ${status.dlq.topic}: ${status.dlq.unreplayed} not replayed, ${status.dlq.held} held`,
    );
  if (status.redis.length > 0)
    sections.push(
      formatTable(
        status.redis.map((r) => ({
          redis: r.node,
          used: r.usedMemoryBytes,
          maxmemory: r.maxMemoryBytes === 0 ? 'none' : r.maxMemoryBytes,
          policy: r.evictionPolicy,
          'evictions/s': r.evictionsPerSecond,
          clients: r.connectedClients,
          'hit rate': r.hitRate,
        })),
        ['redis', 'used', 'maxmemory', 'policy', 'evictions/s', 'clients', 'hit rate'],
      ),
    );
  sections.push(
    status.attention.length === 0 ? 'all healthy' : `${status.attention.length} need attention`,
  );
  return sections.join('\n\n');
}

function ownerOf(group: GroupStatus, partition: string): string | null {
  return group.members.find((member) => member.assigned.includes(partition))?.clientId ?? null;
}
