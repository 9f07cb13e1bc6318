-- The invalidator's version-guarded refreshes, many per call (as delete-fenced: one call per
-- slot and chunk instead of one per key). For each, the compare and the writes are atomic;
-- deleting the lease makes any fill that raced the refresh fail.
-- KEYS: per refresh, three keys: key, its version key, its lease key (all keys of one call in
-- one cluster slot: see @freshen/keys).
-- ARGV: per refresh, three values: serialized value, TTL in ms, version (see version.ts;
-- ordered as plain strings).
-- The value is stored in the envelope of stored-value.ts with no load time (nobody loaded it,
-- so it is never refreshed early) and its expiry by Redis's clock, so a reader's hit is one GET.
-- Returns how many were written; the others were refused because the stored version is the
-- same or newer (a replayed or late event). One refresh: 1 if written, 0 if refused.
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local written = 0
for first = 1, #KEYS, 3 do
  local value, ttl, version = ARGV[first], ARGV[first + 1], ARGV[first + 2]
  local stored = redis.call('GET', KEYS[first + 1])
  if not stored or stored < version then
    local envelope = '\030\030' .. string.format('%.0f', nowMs + tonumber(ttl)) .. '\030' .. value
    redis.call('SET', KEYS[first], envelope, 'PX', ttl)
    redis.call('SET', KEYS[first + 1], version, 'PX', ttl)
    redis.call('DEL', KEYS[first + 2])
    written = written + 1
  end
end
return written
