/**
 * Agents and the compliance of their latest activations, read through the store's agents module.
 * An activation is a revision published for a window opening or closing. Whether an agent applied
 * it on time is decided by core's compliance rules, the same the API's compliance report uses, with
 * the same configured bound (OFFSIDE_COMPLIANCE_LATE_MS), so both tell the same story.
 */
import { backendOf, complianceRows } from '@offside/core'
import { type Db, listAgents, readAcks, revisionReferences } from '@offside/store'
import type { AgentInput } from '../view-model.js'
import { COMPLIANCE_WINDOW } from '../view-model.js'

/** How far back activations are looked for. */
const LOOKBACK_MS = 7 * 24 * 3600_000
const ACTIVATION_KINDS = new Set(['window-open', 'window-close'])

export async function readAgents(db: Db, now: number, lateMs: number): Promise<AgentInput[]> {
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
      const statuses = complianceRows(due, [agent], () => acks, { lateMs, now })
        .reverse()
        .flatMap((row): AgentInput['activations'] =>
          // Still within the bound: pending, not counted yet.
          row.status === 'pending' ? [] : [{ status: row.status }],
        )
      return {
        id: agent.agentId,
        isp: agent.isp,
        backend: backendOf(agent.capabilities),
        version: agent.version ?? null,
        refused: agent.refused,
        // Names only from agents that run a DNS backend (or reported some): others never block names.
        ...(agent.enforcedNames > 0 || agent.capabilities.includes('backend:rpz')
          ? { enforcedNames: agent.enforcedNames }
          : {}),
        ...(agent.clock ? { clockOffsetMs: agent.clock.offsetMs, clockSkewed: agent.clock.skewed } : {}),
        connected: agent.connected,
        lastAckRevision: agent.lastRevision > 0 || agent.lastAckAt !== undefined ? agent.lastRevision : null,
        lastSeenAt: agent.lastSeenAt || null,
        activations: statuses,
      }
    }),
  )
}
