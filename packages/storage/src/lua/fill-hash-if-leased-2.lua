-- The fill of a hash (an object stored field by field), under the same lease rule as
-- fill-if-leased: replaces the whole hash, so no field of an older version survives.
-- KEYS: hash key, lease key. ARGV: token, TTL in ms, then field, value pairs (meta field first).
-- Returns 1 when written, 0 when refused.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
