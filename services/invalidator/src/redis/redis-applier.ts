import { leaseKeyFor, versionKeyFor } from '@freshen/keys';
import { FreshenError, MINUTE } from '@freshen/runtime';
import type { StructureCommandName } from '@freshen/rules';
import {
  applyStructureMember,
  deleteFenced,
  isNoScript,
  loadScripts,
  refreshIfNewer,
} from '@freshen/storage';
import { Cluster, type ChainableCommander, type Redis } from 'ioredis';
import { groupByNode } from './slot-groups.ts';
import {
  addStructureTally,
  countStructureReply,
  emptyStructureTally,
  queueStructureCommand,
  type StructureCommand,
  type StructureTally,
} from './structure-commands.ts';

export interface RefreshCommand {
  key: string;
  value: string;
  ttlMs: number;
  /** eventVersion(change): commit LSN and position in the transaction. */
  version: string;
}

export interface DeleteCommand {
  key: string;
  /** eventVersion(change): kept as the key's tombstone if the key was ever refreshed. */
  version: string;
  /** The same batch refreshed this key before deleting it (so Redis may not have its version yet). */
  refreshedBefore: boolean;
}

/** One batch segment's Redis work: the last action of each key, and of each structure member. */
export interface RedisWork {
  deletes: readonly DeleteCommand[];
  refreshes: readonly RefreshCommand[];
  /** Fenced changes to members of structures kept by rules. */
  structures?: readonly StructureCommand[];
  /**
   * Tag generation keys to unlink (invalidateTag): every value cached with the tag goes stale
   * and fills that began before are refused (packages/cache, tags/). Idempotent: a replay
   * unlinks again. Default none.
   */
  tags?: readonly string[];
}

export interface ApplyResult {
  deleted: number;
  refreshed: number;
  /** Refreshes refused because Redis held the same or a newer version. */
  refused: number;
  /** Structure member changes applied and refused, by command. */
  structures: StructureTally;
  /** Tags invalidated (generation keys unlinked, whether or not one existed). */
  tagsInvalidated: number;
}

/**
 * Deletes or refreshes per script call, and the most value bytes in one: one call instead of
 * one per key is most of what makes a busy batch cheap, and these bounds keep each call to
 * about a millisecond of Redis time, so readers of the same server never queue long behind
 * the invalidator.
 */
const KEYS_PER_CALL = 256;
const BYTES_PER_CALL = 1024 * 1024;

/** Splits one slot's commands into script calls within KEYS_PER_CALL and BYTES_PER_CALL. */
function* scriptCalls<T>(commands: readonly T[], bytesOf: (command: T) => number): Generator<T[]> {
  let call: T[] = [];
  let bytes = 0;
  for (const command of commands) {
    const size = bytesOf(command);
    if (call.length > 0 && (call.length === KEYS_PER_CALL || bytes + size > BYTES_PER_CALL)) {
      yield call;
      call = [];
      bytes = 0;
    }
    call.push(command);
    bytes += size;
  }
  if (call.length > 0) yield call;
}

/** Default life of a delete's tombstone: far longer than a consumer can go on after losing its partition. */
export const DEFAULT_TOMBSTONE_TTL_MS = 10 * MINUTE;

/**
 * Applies deletes (key and lease gone, the version left as a tombstone when the key was
 * refreshed: delete-fenced-n.lua) and version-guarded refreshes (refresh-if-newer-n.lua), many
 * per script call, in pipelines: one pipeline on a standalone server; under Redis Cluster one
 * pipeline per master, all masters at once, and one call per slot.
 * Resolves only when Redis acknowledged every command; any failed command rejects
 * (REDIS_UNAVAILABLE), and the whole work is safe to re-apply.
 */
export class RedisApplier {
  private readonly redis: Redis | Cluster;
  /** How long a removal's version (and a TRUNCATE's floor) is kept: TOMBSTONE_TTL_MS. */
  readonly tombstoneTtlMs: number;
  private readonly durability: ReplicaWait;

  constructor(
    redis: Redis | Cluster,
    options: { tombstoneTtlMs?: number; replicaWait?: ReplicaWait } = {},
  ) {
    this.redis = redis;
    this.tombstoneTtlMs = options.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
    this.durability = options.replicaWait ?? { replicas: 0, timeoutMs: 0 };
  }

  async apply(work: RedisWork): Promise<ApplyResult> {
    const tags = work.tags ?? [];
    if (
      work.deletes.length === 0 &&
      work.refreshes.length === 0 &&
      !work.structures?.length &&
      tags.length === 0
    )
      return {
        deleted: 0,
        refreshed: 0,
        refused: 0,
        structures: emptyStructureTally(),
        tagsInvalidated: 0,
      };
    let results: PipelineResult[];
    try {
      results = await this.applyOnce(work);
    } catch (error) {
      // The server lost its script cache (restart, failover, SCRIPT FLUSH): the work is safe to
      // re-apply, so load the scripts and run it again.
      if (!isNoScript(error)) throw error;
      await loadScripts(this.redis, [refreshIfNewer, deleteFenced, applyStructureMember]);
      results = await this.applyOnce(work);
    }
    let refreshed = 0;
    const structures = emptyStructureTally();
    for (const result of results) {
      refreshed += result.refreshed;
      addStructureTally(structures, result.structures);
    }
    return {
      deleted: work.deletes.length,
      refreshed,
      refused: work.refreshes.length - refreshed,
      structures,
      tagsInvalidated: tags.length,
    };
  }

  private applyOnce(work: RedisWork): Promise<PipelineResult[]> {
    return this.redis instanceof Cluster
      ? this.applyOnCluster(this.redis, work)
      : this.applyOn(this.redis, work);
  }

  /** One pipeline per master; returns, per pipeline, the refreshes written and structure tally. */
  private async applyOnCluster(cluster: Cluster, work: RedisWork): Promise<PipelineResult[]> {
    type Item = {
      key: string;
      refresh?: RefreshCommand;
      delete?: DeleteCommand;
      structure?: StructureCommand;
      tag?: true;
    };
    const items: Item[] = [
      ...work.deletes.map((command) => ({ key: command.key, delete: command })),
      ...work.refreshes.map((refresh) => ({ key: refresh.key, refresh })),
      ...(work.structures ?? []).map((structure) => ({ key: structure.key, structure })),
      ...(work.tags ?? []).map((key) => ({ key, tag: true as const })),
    ];
    return Promise.all(
      groupByNode(cluster, items, (item) => item.key).map((slots) => {
        const pipeline = cluster.pipeline();
        const queued: CommandKind[] = [];
        for (const group of slots.values()) {
          this.queueWork(
            pipeline,
            queued,
            group.flatMap((item) => (item.delete ? [item.delete] : [])),
            group.flatMap((item) => (item.refresh ? [item.refresh] : [])),
            group.flatMap((item) => (item.structure ? [item.structure] : [])),
            group.flatMap((item) => (item.tag ? [item.key] : [])),
          );
        }
        queueWait(pipeline, queued, this.durability);
        return execAndCount(pipeline, queued, this.durability);
      }),
    );
  }

  private async applyOn(redis: Redis, work: RedisWork): Promise<PipelineResult[]> {
    const pipeline = redis.pipeline();
    const queued: CommandKind[] = [];
    this.queueWork(
      pipeline,
      queued,
      work.deletes,
      work.refreshes,
      work.structures ?? [],
      work.tags ?? [],
    );
    queueWait(pipeline, queued, this.durability);
    return [await execAndCount(pipeline, queued, this.durability)];
  }

  /** Queues the commands and records their kinds in `queued`, in pipeline order. */
  private queueWork(
    pipeline: ChainableCommander,
    queued: CommandKind[],
    deletes: readonly DeleteCommand[],
    refreshes: readonly RefreshCommand[],
    structures: readonly StructureCommand[],
    tags: readonly string[],
  ): void {
    for (const call of scriptCalls(deletes, (command) => command.key.length)) {
      const keys: string[] = [];
      const args: (string | number)[] = [this.tombstoneTtlMs];
      for (const { key, version, refreshedBefore } of call) {
        keys.push(key, versionKeyFor(key), leaseKeyFor(key));
        args.push(version, refreshedBefore ? '1' : '0');
      }
      deleteFenced.queue(pipeline, keys, args);
      queued.push('delete');
    }
    for (const call of scriptCalls(refreshes, (command) => command.value.length)) {
      const keys: string[] = [];
      const args: (string | number)[] = [];
      for (const { key, value, ttlMs, version } of call) {
        keys.push(key, versionKeyFor(key), leaseKeyFor(key));
        args.push(value, ttlMs, version);
      }
      refreshIfNewer.queue(pipeline, keys, args);
      queued.push('refresh');
    }
    for (const command of structures)
      queued.push(queueStructureCommand(pipeline, command, this.tombstoneTtlMs));
    // One UNLINK per tag: on a cluster the tags of one slot group may still be many keys.
    for (const tag of tags) {
      pipeline.unlink(tag);
      queued.push('tag');
    }
  }
}

/**
 * How many replicas must have the work before it counts as acknowledged (WAIT), and how long
 * to wait for them. With replicas > 0 an acknowledged batch survives a failover: a write the
 * master took but no replica got (the master lost its replicas, a sentinel promoted one) is
 * not acknowledged, so the batch is retried and lands on the new master.
 */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

type CommandKind = 'delete' | 'refresh' | 'tag' | 'wait' | StructureCommandName;

/** What one pipeline's replies say: refreshes written, structure changes applied and refused. */
interface PipelineResult {
  refreshed: number;
  structures: StructureTally;
}

function queueWait(pipeline: ChainableCommander, queued: CommandKind[], wait: ReplicaWait): void {
  if (wait.replicas === 0) return;
  pipeline.wait(wait.replicas, wait.timeoutMs);
  queued.push('wait');
}

/** A refresh call's reply is how many of its refreshes were written (the rest were refused); delete replies are not needed. */
async function execAndCount(
  pipeline: ChainableCommander,
  queued: readonly CommandKind[],
  wait: ReplicaWait,
): Promise<PipelineResult> {
  const replies = await pipeline.exec();
  if (!replies)
    throw new FreshenError('REDIS_UNAVAILABLE', 'Redis discarded the pipeline; it will be retried');
  let refreshed = 0;
  const structures = emptyStructureTally();
  for (const [index, [error, reply]] of replies.entries()) {
    if (error && isNoScript(error)) throw error;
    if (error)
      throw new FreshenError('REDIS_UNAVAILABLE', `Redis failed a command: ${error.message}`, {
        cause: error,
      });
    const kind = queued[index]!;
    if (kind === 'refresh') refreshed += reply as number;
    else if (kind !== 'delete' && kind !== 'wait' && kind !== 'tag')
      countStructureReply(structures, kind, reply);
    if (kind === 'wait' && (reply as number) < wait.replicas) {
      throw new FreshenError(
        'REDIS_UNAVAILABLE',
        `Redis applied the work but only ${String(reply)} of ${wait.replicas} replicas (REDIS_WAIT_REPLICAS) confirmed it within ${wait.timeoutMs} ms; it will be retried`,
      );
    }
  }
  return { refreshed, structures };
}
