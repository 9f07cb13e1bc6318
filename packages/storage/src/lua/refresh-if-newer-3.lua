-- The invalidator's version-guarded refresh. The compare and the writes are one script, so
-- they are atomic. Deleting the lease makes any fill that raced this refresh fail.
-- KEYS: key, its version key, its lease key (one cluster slot: see @freshen/keys).
-- ARGV: serialized value, TTL in ms, version (see version.ts; ordered as plain strings).
-- The value is stored in the envelope of stored-value.ts with no load time (nobody loaded it,
-- so it is never refreshed early) and its expiry by Redis's clock, so a reader's hit is one GET.
-- Returns 1 if written, 0 if refused because the stored version is the same or newer (a
-- replayed or late event).
local stored = redis.call('GET', KEYS[2])
if stored and stored >= ARGV[3] then return 0 end
local now = redis.call('TIME')
local expiresAt = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[2])
local envelope = '\030\030' .. string.format('%.0f', expiresAt) .. '\030' .. ARGV[1]
redis.call('SET', KEYS[1], envelope, 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
redis.call('DEL', KEYS[3])
return 1
