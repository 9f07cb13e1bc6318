-- The invalidator's delete. The value and its fill lease go (so a fill that raced the change
-- is refused). If the key has been refreshed — its version key exists, or ARGV[3] says this
-- batch refreshed it before deleting it — the delete's own version stays behind as a
-- tombstone for ARGV[2] ms: a refresh older than this delete that arrives later (an event
-- re-applied by a consumer that lost its partition mid-batch, still retrying its work) is then
-- refused by refresh-if-newer instead of re-creating a key whose row is gone. A key that was
-- never refreshed leaves nothing behind, so delete-only key kinds cost no memory.
-- KEYS: key, its version key, its lease key (one cluster slot: see @freshen/keys).
-- ARGV: version (see version.ts), tombstone TTL in ms, '1' when refreshed earlier in the batch.
-- Returns 1 when a tombstone was written or kept, 0 when nothing was left behind.
redis.call('UNLINK', KEYS[1], KEYS[3])
local stored = redis.call('GET', KEYS[2])
if not stored and ARGV[3] ~= '1' then return 0 end
if not stored or stored < ARGV[1] then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) end
return 1
