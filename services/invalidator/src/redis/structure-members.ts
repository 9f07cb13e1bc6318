import type { StructureType } from '@freshen/rules';
import type { Cluster, Redis } from 'ioredis';

/**
 * The members of a structure kept by rules (a hash's fields), one chunk per ZSCAN, SSCAN or
 * HSCAN call, so a large structure never blocks Redis. A member present for the whole scan is
 * returned at least once; one added or removed meanwhile may or may not be.
 */
export async function* structureMemberChunks(
  redis: Redis | Cluster,
  key: string,
  type: StructureType,
  count: number,
): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, items] =
      type === 'zset'
        ? await redis.zscan(key, cursor, 'COUNT', count)
        : type === 'set'
          ? await redis.sscan(key, cursor, 'COUNT', count)
          : await redis.hscan(key, cursor, 'COUNT', count);
    cursor = next;
    // ZSCAN and HSCAN reply member, score (or field, value) pairs.
    const members = type === 'set' ? items : items.filter((_, index) => index % 2 === 0);
    if (members.length > 0) yield members;
  } while (cursor !== '0');
}

/** The structure type a Redis TYPE reply names, if any. */
export function asStructureType(type: unknown): StructureType | undefined {
  return type === 'zset' || type === 'set' || type === 'hash' ? type : undefined;
}
