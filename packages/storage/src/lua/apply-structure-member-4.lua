-- The invalidator's change to one member of a structure kept by rules (a sorted set, a set or
-- a hash, whose fields are its members), fenced by the member's version: a change is applied
-- only if it is newer than the last one applied to that member, so re-delivered events (a
-- crash replays a prefix of the partition) change nothing and a late one (an invalidator that
-- lost its partition, still finishing a batch) cannot move the member backwards.
-- A removal leaves the member's version behind as a tombstone, so an older add arriving later
-- is refused too. Tombstones are pruned once older than the tombstone TTL: each call prunes up
-- to 10 of this key's expired ones, and when the structure is empty both companions expire
-- after the TTL, so tombstones are bounded by the removals of one TTL window.
-- A TRUNCATE leaves a floor (truncate-structure-4.lua): its version, for the tombstone TTL. A
-- change older than the floor is refused, since the TRUNCATE removed the member versions that
-- would otherwise refuse it (a late apply of a change made before the TRUNCATE).
-- KEYS: structure, its member versions (hash), its tombstones (sorted set by removal time, ms),
-- its truncate floor (string); one cluster slot (see @freshen/keys structureKeysFor).
-- ARGV: 'zset' | 'set' | 'hash', 'add' | 'remove', member (a hash's field), version (see
-- version.ts; ordered as plain strings), value (the score, the field's value; '' otherwise),
-- tombstone TTL in ms.
-- Returns 1 if applied, 0 if refused (the member holds the same or a newer version, or the
-- change is older than the floor), -1 if the key holds another type (a rule mixed up its
-- kinds: nothing is written).
local structure, op, member, version, value = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl = tonumber(ARGV[6])
local expected = { zset = 'zset', set = 'set', hash = 'hash' }
local actual = redis.call('TYPE', KEYS[1])['ok']
if actual ~= 'none' and actual ~= expected[structure] then return -1 end
local floor = redis.call('GET', KEYS[4])
if floor and version < floor then return 0 end

local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', nowMs - ttl, 'LIMIT', 0, 10)
for _, gone in ipairs(expired) do
  redis.call('HDEL', KEYS[2], gone)
  redis.call('ZREM', KEYS[3], gone)
end

local stored = redis.call('HGET', KEYS[2], member)
if stored and stored >= version then return 0 end
redis.call('HSET', KEYS[2], member, version)

if op == 'add' then
  if structure == 'zset' then
    redis.call('ZADD', KEYS[1], value, member)
  elseif structure == 'set' then
    redis.call('SADD', KEYS[1], member)
  else
    redis.call('HSET', KEYS[1], member, value)
  end
  redis.call('ZREM', KEYS[3], member)
  redis.call('PERSIST', KEYS[2])
  redis.call('PERSIST', KEYS[3])
  return 1
end

if structure == 'zset' then
  redis.call('ZREM', KEYS[1], member)
elseif structure == 'set' then
  redis.call('SREM', KEYS[1], member)
else
  redis.call('HDEL', KEYS[1], member)
end
redis.call('ZADD', KEYS[3], nowMs, member)
-- An empty structure has no live members, so every version left is a tombstone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 1
