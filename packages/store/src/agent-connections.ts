/**
 * The open agent connections of each ISP, across every gateway process: a ZSET of connection ids
 * scored by when each claim lapses. A gateway claims a slot before it accepts a websocket, renews
 * it with each heartbeat and releases it on close; a crashed gateway's claims lapse by themselves.
 * The cap keeps one ISP's token (stolen, or a loop of reconnecting agents) from holding every
 * gateway's sockets.
 */
import type { Db } from './keys.js'
import { runScript } from './scripts.js'

/** Claims (or renews) one of `isp`'s `cap` connection slots until `now + ttlMs`; false when all are held. */
export async function claimAgentConnection(
  db: Db,
  claim: { isp: string; id: string; now: number; ttlMs: number; cap: number },
): Promise<boolean> {
  const key = db.keys.agents.connections(claim.isp)
  const result = await runScript(
    db.redis,
    'claimConnection',
    [key],
    [claim.id, claim.now, claim.now + claim.ttlMs, claim.cap],
  )
  return result === 'claimed'
}

/** Gives a slot back when its connection closes. */
export async function releaseAgentConnection(db: Db, isp: string, id: string): Promise<void> {
  await db.redis.zrem(db.keys.agents.connections(isp), id)
}
