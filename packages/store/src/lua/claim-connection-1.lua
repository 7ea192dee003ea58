-- Claims (or renews) one of an ISP's agent connection slots (agent-connections.ts).
-- KEYS[1] the ISP's connections ZSET (member: connection id, score: when the claim lapses)
-- ARGV[1] connection id, ARGV[2] now, ARGV[3] lapses at, ARGV[4] cap
-- Drops lapsed claims, then adds this one if fewer than the cap are held.
-- Returns 1 claimed, 0 full (the ISP holds its cap of connections).
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
