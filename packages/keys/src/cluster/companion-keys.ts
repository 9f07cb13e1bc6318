import { hashSlot, hashTagOf, tagForSlot } from './hash-slot.ts';

/**
 * Names of the keys that accompany a cached key: its fill lease and its refresh version.
 * Both are in the same Redis Cluster slot as the key, so a Lua script may touch all three.
 *
 * Forms (W is `lease` or `version`; a structure kept by rules also has `members`,
 * `tombstones` and `floor`):
 * - `{K}:W` when K has no braces (and is not empty): the whole key becomes the hash tag.
 * - `{T}:W:K` otherwise, T being K's own hash tag, or (for a key with braces but no usable
 *   tag) a short text that hashes to K's slot.
 * Both start with `{`, which no keyspace key does (prefixes are [a-z0-9_-]), so a companion
 * never equals a cached key, and a kind's SCAN pattern never matches one. The forms cannot
 * equal each other: the first ends with `}:W`; the second (K may be empty) holds a brace
 * inside K, or ends with `:W:`.
 */
function companionKey(key: string, word: string): string {
  if (key !== '' && !key.includes('{') && !key.includes('}')) return `{${key}}:${word}`;
  const tag = hashTagOf(key) ?? tagForSlot(hashSlot(key));
  return `{${tag}}:${word}:${key}`;
}

/** The fill-lease key of any key string; same cluster slot as `key`. */
export function leaseKeyFor(key: string): string {
  return companionKey(key, 'lease');
}

/** Where a refreshed key's commit LSN is stored; same cluster slot as `key`. */
export function versionKeyFor(key: string): string {
  return companionKey(key, 'version');
}

/**
 * Where a structure kept by rules (a sorted set, set or hash) keeps each member's version: the
 * version of the last change applied to that member, live or removed. Same slot as `key`.
 */
export function memberVersionsKeyFor(key: string): string {
  return companionKey(key, 'members');
}

/**
 * The removed members of a structure that still hold a version (their tombstones), scored by
 * when they were removed, so that expired ones can be pruned in order. Same slot as `key`.
 */
export function tombstonesKeyFor(key: string): string {
  return companionKey(key, 'tombstones');
}

/**
 * The version of the last TRUNCATE applied to a structure: a change older than it is refused,
 * since the TRUNCATE removed the member versions that would have refused it. Expires after the
 * tombstone TTL. Same slot as `key`.
 */
export function structureFloorKeyFor(key: string): string {
  return companionKey(key, 'floor');
}

/** A structure with the companions that fence it: [key, member versions, tombstones, floor]. */
export function structureKeysFor(
  key: string,
): [key: string, memberVersions: string, tombstones: string, floor: string] {
  return [key, memberVersionsKeyFor(key), tombstonesKeyFor(key), structureFloorKeyFor(key)];
}

/**
 * SCAN MATCH patterns for the fill leases of every key that `pattern` (a kind's pattern)
 * matches, one per companion form. A lease exists before its key does (a reader that missed
 * holds it while loading), so a table-wide invalidation finds such loads only through these.
 */
export function leasePatternsFor(pattern: string): string[] {
  return [`{${pattern}}:lease`, `{*}:lease:${pattern}`];
}

/**
 * A cached key with the keys that travel with it: its fill lease and its refresh version.
 * Deleting a key means deleting all three (one cluster slot, so one UNLINK may name them).
 */
export function withCompanions(key: string): [key: string, lease: string, version: string] {
  return [key, leaseKeyFor(key), versionKeyFor(key)];
}
