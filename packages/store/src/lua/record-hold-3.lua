-- Files (or refreshes) the circuit breaker's pending hold (breaker.ts).
-- KEYS[1] holds hash, KEYS[2] proposals hash, KEYS[3] pending pointer
-- ARGV[1] pending id expected ("" for none), ARGV[2] hold id, ARGV[3] hold JSON, ARGV[4] proposal JSON
-- Returns 1 stored, 0 moved (the pending hold is no longer the expected one: decided, or filed by
-- another scheduler).
local current = redis.call('GET', KEYS[3]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
return 1
