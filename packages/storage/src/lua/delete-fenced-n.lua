-- The invalidator's deletes, many per call: one script call per slot and chunk, instead of one
-- per key, is most of what makes a busy batch cheap, for the invalidator and for Redis.
-- For each delete, the value and its fill lease go (so a fill that raced the change is
-- refused). If the key has been refreshed — its version key exists, or the delete's flag says
-- this batch refreshed it before deleting it — the delete's own version stays behind as a
-- tombstone for the TTL: a refresh older than this delete that arrives later (an event
-- re-applied by a consumer that lost its partition mid-batch, still retrying its work) is then
-- refused by refresh-if-newer instead of re-creating a key whose row is gone. A key that was
-- never refreshed leaves nothing behind, so delete-only key kinds cost no memory.
-- KEYS: per delete, three keys: key, its version key, its lease key (all keys of one call in
-- one cluster slot: see @freshen/keys).
-- ARGV: tombstone TTL in ms, then per delete two values: its version (see version.ts) and '1'
-- when refreshed earlier in the batch, else '0'.
-- Returns how many tombstones were written or kept.
local ttl = ARGV[1]
local kept = 0
for first = 1, #KEYS, 3 do
  local arg = 2 + 2 * (first - 1) / 3
  local version, refreshedBefore = ARGV[arg], ARGV[arg + 1]
  redis.call('UNLINK', KEYS[first], KEYS[first + 2])
  local stored = redis.call('GET', KEYS[first + 1])
  if stored or refreshedBefore == '1' then
    if not stored or stored < version then
      redis.call('SET', KEYS[first + 1], version, 'PX', ttl)
    end
    kept = kept + 1
  end
end
return kept
