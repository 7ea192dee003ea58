-- Publishes the next revision if the caller computed it from the latest one (revisions.ts).
-- KEYS[1] revision counter, KEYS[2] revisions stream, KEYS[3] snapshot hash, KEYS[4] published instants ZSET,
-- KEYS[5] history epoch
-- ARGV[1] expected previous revision, ARGV[2] record JSON (its revision = ARGV[9]),
-- ARGV[3] snapshot meta JSON, ARGV[4] approximate stream length kept,
-- ARGV[5] instant member ("" when the revision is not for a calendar instant), ARGV[6] its score,
-- ARGV[7] forget instants scored below this,
-- ARGV[8] groups JSON, or "" to leave the stored groups as they are: the snapshot is then those
--   groups (at the revision in field groupsAt) with the revisions after it applied,
-- ARGV[9] the revision to publish (expected + 1, or more when a new history starts above what
-- agents hold), ARGV[10] a fresh epoch id, ARGV[11] "1" to start a new history with it (a fork),
-- ARGV[12] how many revisions the stored groups may lag behind (beyond it, or for a fork, ARGV[8]
--   must be given)
-- The epoch is created with the first revision of an empty store. Each revision's chain is
-- SHA-1(previous chain .. "\n" .. record JSON), starting from the epoch: two histories that differ
-- anywhere differ in every later chain, which is how a gateway tells a rewound Redis from the
-- agents' history. SHA-1 is enough: the chain detects accidents; signatures carry authenticity.
-- Returns the new revision, -1 conflict (another scheduler published first: recompute and retry),
-- -2 duplicate-instant (the instant was already published), -3 needs-groups (resend with ARGV[8]).
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
local rev = tonumber(ARGV[9])
if rev <= current then return -1 end
-- Snapshots written before groupsAt existed held the groups of their own revision.
local groupsAt = tonumber(redis.call('HGET', KEYS[3], 'groupsAt') or current)
if ARGV[8] == '' and (current == 0 or ARGV[11] == '1' or rev - groupsAt > tonumber(ARGV[12])) then
  return -3
end
if ARGV[5] ~= '' then
  if redis.call('ZSCORE', KEYS[4], ARGV[5]) then return -2 end
  redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[7])
end
local epoch = redis.call('GET', KEYS[5])
local previous = redis.call('HGET', KEYS[3], 'chain')
if ARGV[11] == '1' or not epoch then
  epoch = ARGV[10]
  redis.call('SET', KEYS[5], epoch)
  previous = false
end
-- A store written before chains existed starts its chain at the epoch.
local chain = redis.sha1hex((previous or epoch) .. '\n' .. ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], rev .. '-0', 'record', ARGV[2], 'epoch', epoch, 'chain', chain)
redis.call('HSET', KEYS[3], 'meta', ARGV[3], 'epoch', epoch, 'chain', chain)
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[3], 'groups', ARGV[8], 'groupsAt', rev)
else
  redis.call('HSET', KEYS[3], 'groupsAt', groupsAt)
end
redis.call('SET', KEYS[1], rev)
return rev
