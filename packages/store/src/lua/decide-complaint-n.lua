-- Records the authority's decision on a complaint atomically (complaints.ts). The number of keys
-- varies (one per rightsholder whose entries the decision revokes): the `n` in the file name.
-- KEYS[1] complaints hash, KEYS[2] revocations hash, KEYS[3] state generation, KEYS[4..] reporter counters
-- ARGV[1] complaint id, ARGV[2] decided complaint JSON, ARGV[3] number of revocations n, then n
-- pairs (id, JSON), then one count per reporter key
-- Writes the decision only while the complaint is still open: of two authority users deciding one
-- complaint at once, exactly one wins, and the loser's revocations are never written. (WATCH cannot
-- give this on a connection shared by concurrent requests.)
-- Returns 1 decided, 0 closed (decided meanwhile; nothing written).
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw or cjson.decode(raw).status ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local n = tonumber(ARGV[3])
for i = 1, n do redis.call('HSET', KEYS[2], ARGV[2 + 2 * i], ARGV[3 + 2 * i]) end
for k = 4, #KEYS do redis.call('HINCRBY', KEYS[k], 'revoked', ARGV[3 + 2 * n + k - 3]) end
redis.call('INCR', KEYS[3])
return 1
