/**
 * Agents and the compliance of their latest activations, read through the store's agents module.
 * An activation is a revision published for a window opening or closing; an agent applied it on
 * time when its acknowledgement (of that revision or a later one: revisions apply in order)
 * reached a gateway within {@link ON_TIME_MS} of the scheduled instant. The rules are the API's
 * compliance report's (services/api/src/routes/agents/compliance.ts), so both tell the same story.
 */
import { type Db, listAgents, readAcks, revisionReferences } from '@offside/store'
import type { AgentInput } from '../view-model.js'
import { COMPLIANCE_WINDOW } from '../view-model.js'

/** An acknowledgement this soon after the scheduled instant is on time; none by then is missing. */
export const ON_TIME_MS = 5_000
/** How far back activations are looked for. */
const LOOKBACK_MS = 7 * 24 * 3600_000
const ACTIVATION_KINDS = new Set(['window-open', 'window-close'])

export async function readAgents(db: Db, now: number): Promise<AgentInput[]> {
  const [agents, references] = await Promise.all([
    listAgents(db),
    revisionReferences(db, now - LOOKBACK_MS, now + 1),
  ])
  const activations = references
    .filter((r) => ACTIVATION_KINDS.has(r.kind))
    .sort((a, b) => b.revision - a.revision)
  return Promise.all(
    agents.map(async (agent): Promise<AgentInput> => {
      // An agent is answerable for activations since it first appeared, the latest few of them.
      const due = activations.filter((a) => a.issuedAt >= agent.firstSeenAt).slice(0, COMPLIANCE_WINDOW)
      const oldest = due.at(-1)?.revision
      const acks = oldest === undefined ? [] : await readAcks(db, agent, oldest)
      const statuses = due.flatMap((activation): AgentInput['activations'] => {
        // The first time any acknowledgement covering this revision arrived.
        const covering = acks.filter((a) => a.revision >= activation.revision).map((a) => a.receivedAt)
        if (covering.length > 0) {
          const delay = Math.min(...covering) - activation.reference
          return [{ status: delay <= ON_TIME_MS ? 'on-time' : 'late' }]
        }
        // Still within the budget: pending, not counted yet.
        return now - activation.reference > ON_TIME_MS ? [{ status: 'missing' }] : []
      })
      return {
        id: agent.agentId,
        isp: agent.isp,
        connected: agent.connected,
        lastAckRevision: agent.lastRevision > 0 || agent.lastAckAt !== undefined ? agent.lastRevision : null,
        lastSeenAt: agent.lastSeenAt || null,
        activations: statuses,
      }
    }),
  )
}
