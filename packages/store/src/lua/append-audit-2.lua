-- Appends one record to the audit chain (audit.ts). Hashing stays in Node.
-- KEYS[1] audit stream, KEYS[2] head ("<seq> <hash>")
-- ARGV[1] the previous hash the caller chained to, ARGV[2] the new seq, ARGV[3] the record JSON,
-- ARGV[4] the new hash
-- Appends only if the head is still what the caller read, so concurrent API processes can never
-- fork the chain. An empty chain's head hash is GENESIS_HASH (64 zeros).
-- Returns 1 appended, 0 moved (another writer appended first: read the head again and retry).
local head = redis.call('GET', KEYS[2])
local seq, prev = 0, string.rep('0', 64)
if head then
  local space = string.find(head, ' ', 1, true)
  seq = tonumber(string.sub(head, 1, space - 1))
  prev = string.sub(head, space + 1)
end
if prev ~= ARGV[1] or seq + 1 ~= tonumber(ARGV[2]) then return 0 end
redis.call('XADD', KEYS[1], ARGV[2] .. '-1', 'record', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2] .. ' ' .. ARGV[4])
return 1
