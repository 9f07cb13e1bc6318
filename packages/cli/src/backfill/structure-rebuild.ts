import { formatLsn, parseLsn } from '@freshen/change-event';
import { memberVersionsKeyFor } from '@freshen/keys';
import {
  asStructureType,
  RedisApplier,
  structureMemberChunks,
  type StructureCommand,
} from '@freshen/invalidator/apply';
import {
  isDescribedRuleSet,
  memberId,
  STRUCTURE_COMMANDS,
  type RuleSet,
  type StructureAction,
  type StructureType,
} from '@freshen/rules';
import { eventVersion } from '@freshen/storage';
import { Cluster, type Redis } from 'ioredis';
import type { WalPosition } from '../rows/wal-position.ts';

/** Members per apply while sweeping. */
const SWEEP_CHUNK = 500;

/**
 * The version a backfill writes for what it read after `walPosition`: just below every change
 * committed after that position (the change may be newer than the row as read, so it must win)
 * and above every change committed before it (the row as read already shows those).
 */
export function backfillVersion(walPosition: string): string {
  return eventVersion({ lsn: formatLsn(parseLsn(walPosition) - 1n), seq: 0xffffffff });
}

export interface StructureFigures {
  /** Member changes written from the rows (ZADD, SADD, HSET; HDEL of a null field). */
  written: number;
  /** Members no row produces, removed by the sweep. */
  removed: number;
  /** Member changes refused: the pipeline had applied a newer change of that member. */
  refused: number;
  /** Why no sweep ran (undefined when it did, or when the table keeps no structures). */
  sweepSkipped?: string;
  /**
   * Batches read while a transaction open at their WAL position stayed open past the wait
   * (wal-position.ts): their members may miss that transaction's change until its next one.
   */
  unsettled: number;
}

/** Whether the table's rules keep structures (a rule set that does not say is assumed to). */
export function keepsStructures(rules: RuleSet, table: string): boolean {
  if (rules.evaluateStructures === undefined) return false;
  if (!isDescribedRuleSet(rules)) return true;
  return rules.rules.some((rule) => rule.qualified === table && rule.structures !== undefined);
}

/**
 * Rebuilds the structures a table's rows keep, in place and fenced by member versions, so it
 * is safe while the pipeline runs: each batch's members are written with the version of the
 * WAL position read before the batch (a newer change the pipeline applied is never
 * overwritten), and after the last batch every member of a structure that no row produced is
 * removed with the version of the position read before the first batch (a member the
 * pipeline added since then has a newer version and stays). A rebuild into a temporary key
 * and RENAME would not be safe: it would throw away what the pipeline applied meanwhile.
 */
export class StructureRebuild {
  private readonly applier: RedisApplier;
  private readonly seen = new Set<string>();
  private readonly keys = new Map<string, StructureType>();
  readonly figures: StructureFigures = { written: 0, removed: 0, refused: 0, unsettled: 0 };

  private readonly redis: Redis | Cluster;
  private readonly rules: RuleSet;
  /** `schema.table`. */
  private readonly table: string;

  constructor(redis: Redis | Cluster, rules: RuleSet, table: string) {
    this.redis = redis;
    this.rules = rules;
    this.table = table;
    this.applier = new RedisApplier(redis);
  }

  /** Writes one batch's member actions (from rows read after `walPosition`). */
  async write(actions: readonly StructureAction[], position: WalPosition): Promise<void> {
    const version = backfillVersion(position.lsn);
    if (!position.settled) this.figures.unsettled++;
    for (const action of actions) {
      this.seen.add(memberId(action));
      this.keys.set(action.key, action.structure);
    }
    this.figures.written += await this.apply(actions.map((action) => ({ ...action, version })));
  }

  /**
   * Removes the members no row produced from every structure of the table's kinds, those seen
   * in this run and those in Redis (a structure is a key of one of the kinds with member
   * versions: a cached hash has none, so it is never mistaken for one).
   */
  async sweep(patterns: readonly string[], start: WalPosition): Promise<void> {
    const shared = this.sharedWithOtherTables();
    if (shared !== undefined) {
      this.figures.sweepSkipped = shared;
      return;
    }
    if (!start.settled) this.figures.unsettled++;
    const version = backfillVersion(start.lsn);
    for (const key of await this.structureKeys(patterns)) {
      const type = this.keys.get(key) ?? (await this.typeOf(key));
      if (type === undefined) continue;
      let batch: StructureCommand[] = [];
      for await (const members of structureMemberChunks(this.redis, key, type, 1000)) {
        for (const member of members) {
          if (this.seen.has(memberId({ key, member }))) continue;
          batch.push({ op: 'remove', structure: type, key, member, version });
          if (batch.length >= SWEEP_CHUNK) {
            this.figures.removed += await this.apply(batch);
            batch = [];
          }
        }
      }
      this.figures.removed += await this.apply(batch);
    }
  }

  /** Applies the commands; returns how many were applied (the rest were refused as older). */
  private async apply(commands: StructureCommand[]): Promise<number> {
    if (commands.length === 0) return 0;
    const result = await this.applier.apply({ deletes: [], refreshes: [], structures: commands });
    let applied = 0;
    for (const name of STRUCTURE_COMMANDS) {
      applied += result.structures.applied[name];
      this.figures.refused += result.structures.refused[name];
    }
    return applied;
  }

  /** A kind other tables' rules keep too: their members are not this table's to sweep. */
  private sharedWithOtherTables(): string | undefined {
    if (!isDescribedRuleSet(this.rules)) return 'the rule set does not describe its rules';
    const mine = new Set(
      this.rules.rules.filter((rule) => rule.qualified === this.table).flatMap((r) => r.produces),
    );
    const other = this.rules.rules.find(
      (rule) => rule.qualified !== this.table && rule.produces.some((kind) => mine.has(kind)),
    );
    return other === undefined
      ? undefined
      : `${other.qualified} produces kinds of this table too; backfill each table without a sweep`;
  }

  private async structureKeys(patterns: readonly string[]): Promise<Set<string>> {
    const found = new Set(this.keys.keys());
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      for (const pattern of patterns) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          for (const key of keys) found.add(key);
        } while (cursor !== '0');
      }
    }
    return found;
  }

  private async typeOf(key: string): Promise<StructureType | undefined> {
    if ((await this.redis.exists(memberVersionsKeyFor(key))) === 0) return undefined;
    return asStructureType(await this.redis.type(key));
  }
}
