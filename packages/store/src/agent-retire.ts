/**
 * Retiring an agent (ops): an agent an ISP decommissioned, or renamed, stays listed as
 * disconnected forever and keeps its ISP red. Retiring takes it off the `agents` index (so the
 * dashboard, `GET /v1/agents` and the compliance report stop counting it) and stamps `retiredAt`
 * on its hash; its acknowledgements stay, for the record. An agent that says hello again is listed
 * again (agentConnected adds it back).
 */
import type { AgentRef } from './agents.js'
import type { Db } from './keys.js'

/**
 * KEYS[1] agents index, KEYS[2] agent hash, KEYS[3] alive key. ARGV[1] "<isp>/<agentId>", ARGV[2] now.
 * Returns 'retired', 'connected' (refused: it is online) or 'unknown'.
 */
const RETIRE_AGENT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 'unknown' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'connected' end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'retiredAt', ARGV[2])
return 'retired'
`

export type RetireResult = 'retired' | 'connected' | 'unknown'

/** Takes a disconnected agent off the list; a connected one is refused. */
export async function retireAgent(db: Db, agent: AgentRef, now: number): Promise<RetireResult> {
  const keys = db.keys.agents
  const ref = `${agent.isp}/${agent.agentId}`
  return (await db.redis.eval(
    RETIRE_AGENT,
    3,
    keys.index,
    keys.agent(ref),
    keys.alive(ref),
    ref,
    String(now),
  )) as RetireResult
}
