-- Before a tagged fill on Redis Cluster, for each tag whose generation key is in another slot
-- than the value (one script cannot span slots): is the generation still the one read before
-- the load began? If so its TTL is raised (never lowered) to outlive the value about to be
-- written. A tag invalidated between this check and the fill is still caught: every read
-- compares the generations stored with the value against the current ones.
-- KEYS: tag generation key. ARGV: generation, tag TTL in ms.
-- Returns 1 when the generation is unchanged, 0 when it moved (or the key is gone).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
-- Raise, never lower (PEXPIRE GT from Redis 7.0; Freshen supports 6.2).
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
