-- Marks an agent disconnected from one gateway (agents.ts).
-- KEYS[1] the agent's alive key (value: the gateway holding it)
-- ARGV[1] the gateway letting go
-- Deletes the presence only if this gateway still holds it: the agent may already be back on another.
-- Returns 1 released, 0 held elsewhere.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
