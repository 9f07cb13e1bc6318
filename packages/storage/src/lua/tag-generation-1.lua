-- A tag's generation as a tagged load begins: the current one, or the caller's new random one
-- when the tag has none (never invalidated, expired, or just invalidated). Atomic, so the
-- generation a reader records always existed in Redis. (SET NX GET does the same from Redis
-- 7.0; Freshen supports 6.2.)
-- KEYS: tag generation key. ARGV: new generation, TTL in ms for a new one.
-- Returns the generation.
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
