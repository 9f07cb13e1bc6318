import type { RedisClient } from '@freshen/cache';
import type { ExampleKeys } from '../keys.ts';

export interface LeaderboardEntry {
  product_id: string;
  units_sold: number;
}

/**
 * Reads of the Redis structures the example rules keep (packages/rules, "Structures kept by
 * rules"): nothing loads or fills them here, the invalidator writes every change from the WAL
 * and `freshen backfill` rebuilds them from the tables.
 */
export class StructureReads {
  private readonly redis: RedisClient;
  private readonly keys: ExampleKeys;

  constructor(redis: RedisClient, keys: ExampleKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** The `top` best-selling products (ties: higher product id first, as ZREVRANGE orders them). */
  async leaderboard(top: number): Promise<LeaderboardEntry[]> {
    const key = this.keys.productsByUnitsSold.key({});
    const flat = await this.redis.zrevrange(key, 0, top - 1, 'WITHSCORES');
    const entries: LeaderboardEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      entries.push({ product_id: flat[i]!, units_sold: Number(flat[i + 1]) });
    return entries;
  }

  /** A team's member ids, in id order. */
  async teamMemberIds(teamId: string): Promise<string[]> {
    const ids = await this.redis.smembers(this.keys.teamMemberIds.key({ team_id: teamId }));
    return ids.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  }
}
