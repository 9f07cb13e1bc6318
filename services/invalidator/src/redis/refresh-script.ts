import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/**
 * The version-guarded refresh (shared contract, "Stored values in Redis"). One script, so the
 * compare and the writes are atomic. KEYS: key, versionKeyFor(key), leaseKeyFor(key), all in
 * one cluster slot. ARGV: value, ttl ms, version (eventVersion). Returns 1 if written, 0 if
 * refused because the stored version is the same or newer (a replayed or late event).
 * Deleting the lease makes any fill that raced this refresh fail.
 */
const REFRESH_LUA = `
local stored = redis.call('GET', KEYS[2])
if stored and stored >= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('DEL', KEYS[3])
return 1
`;

const COMMAND = 'freshenRefresh';

type RefreshArgs = [
  key: string,
  versionKey: string,
  leaseKey: string,
  value: string,
  ttlMs: number,
  version: string,
];

interface WithRefresh {
  [COMMAND](...args: RefreshArgs): unknown;
}

/** Registers the script on a client (EVALSHA, falling back to EVAL once per connection). */
export function defineRefreshCommand(redis: Redis | Cluster): void {
  redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: REFRESH_LUA });
}

/** Queues the refresh on a pipeline whose client went through defineRefreshCommand. */
export function queueRefresh(pipeline: ChainableCommander, ...args: RefreshArgs): void {
  (pipeline as unknown as WithRefresh)[COMMAND](...args);
}
