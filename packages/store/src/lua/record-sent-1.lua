-- Remembers the highest revision sent to an agent (agents.ts).
-- KEYS[1] agent hash
-- ARGV[1] revision
-- Raises `sentRevision` to ARGV[1], never lowers it (two gateways may both have served the agent).
-- Returns 1 recorded.
local sent = tonumber(redis.call('HGET', KEYS[1], 'sentRevision') or '0')
if tonumber(ARGV[1]) > sent then redis.call('HSET', KEYS[1], 'sentRevision', ARGV[1]) end
return 1
