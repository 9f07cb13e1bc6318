import { LuaScript } from './lua-script.ts';

/**
 * The fill of a whole value: written only if the caller's token is still the key's lease.
 * The invalidator UNLINKs the lease together with the key (and a refresh DELs it), so a fill
 * whose load began before a committed change was invalidated finds another token or none,
 * and writes nothing. KEYS: value key, lease key. ARGV: token, stored value, TTL in ms.
 * Returns 1 when written, 0 when refused.
 */
export const fillIfLeased = new LuaScript(
  `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1`,
  2,
);

/**
 * The fill of a hash (an object stored field by field), under the same lease rule: replaces
 * the whole hash so no field of an older version survives. KEYS: hash key, lease key.
 * ARGV: token, TTL in ms, then field, value pairs (the meta field first). Returns 1 or 0.
 */
export const fillHashIfLeased = new LuaScript(
  `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1`,
  2,
);

/**
 * Gives a lease back (after a loader error, or a value too large to cache) so waiting readers
 * take it at once instead of waiting for it to expire; only if it is still ours.
 * KEYS: lease key. ARGV: token. Returns 1 if released.
 */
export const releaseLease = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  1,
);
