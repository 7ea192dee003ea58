/**
 * The open agent connections of each ISP, across every gateway process: a ZSET of connection ids
 * scored by when each claim lapses. A gateway claims a slot before it accepts a websocket, renews
 * it with each heartbeat and releases it on close; a crashed gateway's claims lapse by themselves.
 * The cap keeps one ISP's token (stolen, or a loop of reconnecting agents) from holding every
 * gateway's sockets.
 */
import type { Redis } from 'ioredis'
import type { Db } from './keys.js'

/**
 * KEYS[1] the ISP's connections ZSET. ARGV[1] connection id, ARGV[2] now, ARGV[3] lapses at,
 * ARGV[4] cap. Drops lapsed claims, then adds this one if fewer than the cap are held.
 * Returns 1 when claimed, 0 when the ISP is at its cap.
 */
const CLAIM_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
`

type ClaimClient = Redis & {
  offsideClaimConnection(key: string, id: string, now: number, lapsesAt: number, cap: number): Promise<number>
}

function withClaim(redis: Redis): ClaimClient {
  const client = redis as ClaimClient
  if (typeof client.offsideClaimConnection !== 'function') {
    redis.defineCommand('offsideClaimConnection', { numberOfKeys: 1, lua: CLAIM_LUA })
  }
  return client
}

/** Claims (or renews) one of `isp`'s `cap` connection slots until `now + ttlMs`; false when all are held. */
export async function claimAgentConnection(
  db: Db,
  claim: { isp: string; id: string; now: number; ttlMs: number; cap: number },
): Promise<boolean> {
  const key = db.keys.agents.connections(claim.isp)
  const done = await withClaim(db.redis).offsideClaimConnection(
    key,
    claim.id,
    claim.now,
    claim.now + claim.ttlMs,
    claim.cap,
  )
  return done === 1
}

/** Gives a slot back when its connection closes. */
export async function releaseAgentConnection(db: Db, isp: string, id: string): Promise<void> {
  await db.redis.zrem(db.keys.agents.connections(isp), id)
}
