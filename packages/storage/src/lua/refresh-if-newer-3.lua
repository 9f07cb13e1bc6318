-- The invalidator's version-guarded refresh. The compare and the writes are one script, so
-- they are atomic. Deleting the lease makes any fill that raced this refresh fail.
-- KEYS: key, its version key, its lease key (one cluster slot: see @freshen/keys).
-- ARGV: stored value, TTL in ms, version (see version.ts; ordered as plain strings).
-- Returns 1 if written, 0 if refused because the stored version is the same or newer (a
-- replayed or late event).
local stored = redis.call('GET', KEYS[2])
if stored and stored >= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('DEL', KEYS[3])
return 1
