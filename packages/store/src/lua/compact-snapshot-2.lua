-- Stores the groups of a published revision in the snapshot hash, so readers apply fewer
-- revisions on top of them (revisions.ts, compactSnapshot). Never moves the stored groups back.
-- KEYS[1] revision counter, KEYS[2] snapshot hash
-- ARGV[1] the revision the groups are the state of, ARGV[2] groups JSON
-- Returns 1 compacted, 0 stale (the stored groups are as new or newer, or no such revision).
local rev = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if rev > current then return 0 end
local groupsAt = tonumber(redis.call('HGET', KEYS[2], 'groupsAt') or current)
if groupsAt >= rev then return 0 end
redis.call('HSET', KEYS[2], 'groups', ARGV[2], 'groupsAt', rev)
return 1
