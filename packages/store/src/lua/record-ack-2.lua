-- Records an agent's acknowledgement of a revision (agents.ts).
-- KEYS[1] agent hash, KEYS[2] agent acks ZSET
-- ARGV[1] revision, ARGV[2] AckRecord JSON, ARGV[3] receivedAt, ARGV[4] enforced, ARGV[5] staged,
-- ARGV[6] notFitting, ARGV[7] acks kept, ARGV[8] "1" to update the counts (a real ack, not a hello),
-- ARGV[9] refused count, ARGV[10] refusals JSON, ARGV[11] enforced names, ARGV[12] staged names
-- (names absent from an older gateway's call: 0)
-- Returns 1 recorded, 0 duplicate (this revision was already acknowledged).
if redis.call('ZCOUNT', KEYS[2], ARGV[1], ARGV[1]) > 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[7]) - 1)
local last = tonumber(redis.call('HGET', KEYS[1], 'lastRevision') or '0')
if tonumber(ARGV[1]) >= last then
  redis.call('HSET', KEYS[1], 'lastRevision', ARGV[1], 'lastAckAt', ARGV[3])
  if ARGV[8] == '1' then
    redis.call('HSET', KEYS[1], 'enforced', ARGV[4], 'staged', ARGV[5], 'notFitting', ARGV[6],
      'refused', ARGV[9], 'refusals', ARGV[10],
      'enforcedNames', ARGV[11] or '0', 'stagedNames', ARGV[12] or '0')
  end
end
return 1
