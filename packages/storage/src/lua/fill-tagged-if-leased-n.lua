-- The fill of a tagged whole value: written only if the caller's token is still the key's
-- lease AND every tag named here still has the generation the caller read before its load
-- began. The invalidator invalidates a tag by unlinking its generation key, and a reader that
-- finds none creates a new random one (SET NX), so a generation never comes back: a fill whose
-- load began before a tag invalidation was applied finds another generation or none, and
-- writes nothing. The tags' TTLs are raised (never lowered) to outlive the value.
-- KEYS: value key, lease key, then the tag generation keys in the value key's cluster slot
-- (on a single server all of them; tags in other slots are checked by check-tag-1.lua first).
-- ARGV: token, stored value, TTL in ms, tag TTL in ms, then one generation per tag key.
-- Returns 1 when written, 0 when refused by the lease, -1 when refused by a tag (the lease,
-- still the caller's, is released then so waiting readers take over at once).
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 2] then
    redis.call('DEL', KEYS[2])
    return -1
  end
end
-- Raise, never lower (PEXPIRE GT from Redis 7.0; Freshen supports 6.2).
for i = 3, #KEYS do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl >= 0 and ttl < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
