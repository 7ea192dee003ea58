-- Records ops' decision on the pending circuit-breaker hold (breaker.ts).
-- KEYS[1] holds hash, KEYS[2] pending pointer, KEYS[3] decided ZSET
-- ARGV[1] id, ARGV[2] the hold JSON as read, ARGV[3] the decided hold JSON, ARGV[4] lapsesAt
-- ("" = not remembered: superseded), ARGV[5] now (decisions lapsed before it are forgotten)
-- Returns 1 decided, 0 moved (the hold is not pending or changed since it was read).
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5])
return 1
