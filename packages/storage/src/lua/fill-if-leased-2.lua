-- The fill of a whole value: written only if the caller's token is still the key's lease.
-- The invalidator unlinks the lease together with the key (a refresh deletes it, a TRUNCATE
-- unlinks every lease of the table's kinds), so a fill whose load began before a committed
-- change was applied finds another token or none, and writes nothing.
-- KEYS: value key, lease key. ARGV: token, stored value, TTL in ms.
-- Returns 1 when written, 0 when refused.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
