import { structureKeysFor } from '@freshen/keys';
import type { StructureType } from '@freshen/rules';
import { truncateStructure } from '@freshen/storage';
import type { Cluster, Redis } from 'ioredis';
import { structureMemberChunks } from './structure-members.ts';

/** Members per truncate-structure.lua call (and ZSCAN/SSCAN/HSCAN COUNT hint). */
const MEMBER_CHUNK = 500;

/**
 * Applies a TRUNCATE (its version `version`) to one structure kept by rules: raises its floor,
 * then removes every member last changed before the TRUNCATE, chunk by chunk
 * (truncate-structure-4.lua). Members changed at or after it stay. Returns members removed.
 */
export async function truncateStructureKey(
  redis: Redis | Cluster,
  key: string,
  type: StructureType | undefined,
  version: string,
  tombstoneTtlMs: number,
): Promise<number> {
  const keys = structureKeysFor(key);
  // The floor first, with no members: from here on a change older than the TRUNCATE is
  // refused, including while the members are scanned, and even if the scan finds none.
  let removed = Number(await truncateStructure.run(redis, keys, [version, tombstoneTtlMs]));
  if (type === undefined) return removed;
  for await (const members of structureMemberChunks(redis, key, type, MEMBER_CHUNK)) {
    removed += Number(
      await truncateStructure.run(redis, keys, [version, tombstoneTtlMs, ...members]),
    );
  }
  return removed;
}
