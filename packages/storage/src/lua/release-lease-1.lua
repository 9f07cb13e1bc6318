-- Gives a lease back (after a loader error, or a value too large to cache) so waiting readers
-- take it at once instead of waiting for it to expire; only if it is still the caller's.
-- KEYS: lease key. ARGV: token. Returns 1 if released, 0 if not.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
