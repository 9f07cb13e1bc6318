-- One partition's copy of a TRUNCATE, applied to a structure kept by rules (the reader writes
-- the TRUNCATE to every partition, and each applies it when it gets there). Unlinking the
-- structure would be wrong: another partition may already have applied its copy and then a
-- member added after the TRUNCATE (commit order), which nothing would put back. So only the
-- members changed before the TRUNCATE are removed (their version is older than its version
-- L); a member whose version is L or newer stays.
-- The floor keeps the TRUNCATE's version L, so that apply-structure-member-4.lua refuses a
-- change older than L applied later (a late apply), which the member's version, removed here,
-- can no longer refuse. The floor expires after the tombstone TTL: the same window the design
-- already accepts for late applies after a removal. It is (re)armed by each copy, so the window
-- runs from the last member removed under it.
-- The caller SCANs the structure's members and passes them in chunks; it calls once with no
-- members too, so that the floor is raised even when SCAN finds none.
-- KEYS: structure, its member versions (hash), its tombstones (sorted set), its floor (string);
-- one cluster slot (see @freshen/keys structureKeysFor).
-- ARGV: the TRUNCATE's version L (see version.ts; ordered as plain strings), tombstone TTL in
-- ms, then any number of members (a hash's fields).
-- Returns the number of members removed.
local truncated = ARGV[1]
local ttl = tonumber(ARGV[2])

local floor = redis.call('GET', KEYS[4])
if not floor or floor <= truncated then
  redis.call('SET', KEYS[4], truncated, 'PX', ttl)
end

local remove = ({ zset = 'ZREM', set = 'SREM', hash = 'HDEL' })[redis.call('TYPE', KEYS[1])['ok']]
if remove == nil then return 0 end

local removed = 0
for index = 3, #ARGV do
  local member = ARGV[index]
  local stored = redis.call('HGET', KEYS[2], member)
  if not stored or stored < truncated then
    removed = removed + redis.call(remove, KEYS[1], member)
    redis.call('HDEL', KEYS[2], member)
    redis.call('ZREM', KEYS[3], member)
  end
end
-- An empty structure has no live members, so every version left is a tombstone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return removed
