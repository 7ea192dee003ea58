-- Publishes the next revision if the caller computed it from the latest one (revisions.ts).
-- KEYS[1] revision counter, KEYS[2] revisions stream, KEYS[3] snapshot hash, KEYS[4] published instants ZSET
-- ARGV[1] expected previous revision, ARGV[2] record JSON (revision = expected + 1),
-- ARGV[3] snapshot meta JSON, ARGV[4] approximate stream length kept,
-- ARGV[5] instant member ("" when the revision is not for a calendar instant), ARGV[6] its score,
-- ARGV[7] forget instants scored below this, ARGV[8] groups JSON ("" when the revision has no ops)
-- Returns the new revision, -1 conflict (another scheduler published first: recompute and retry),
-- -2 duplicate-instant (the instant was already published).
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
if ARGV[5] ~= '' then
  if redis.call('ZSCORE', KEYS[4], ARGV[5]) then return -2 end
  redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[7])
end
local rev = current + 1
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], rev .. '-0', 'record', ARGV[2])
redis.call('HSET', KEYS[3], 'meta', ARGV[3])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], 'groups', ARGV[8]) end
redis.call('SET', KEYS[1], rev)
return rev
