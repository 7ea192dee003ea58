import { type Lift, liftOfSuspension, namesOverlap, type Order, parseTarget } from '@offside/core'
import type { Complaint } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import { errors, problem } from '../../errors.js'
import type { LiveStateNear } from '../../live-state.js'
import type { DecisionBody, DecisionPlan } from './plan.js'

/**
 * {@link planDecision} for a complaint about a name. A decision may revoke only the complaint's
 * name; revoking it lifts the name and any enforced wildcard above it (a resolver cannot answer
 * for the wildcard minus one name, so the wildcard goes — the complainant's service must resolve).
 */
export async function planNameDecision(
  app: FastifyInstance,
  complaint: Complaint,
  body: DecisionBody,
  now: number,
  order: Order | null,
): Promise<DecisionPlan> {
  const name = complaint.target
  const targets =
    body.outcome === 'revoke'
      ? (body.prefixes ?? [name]).map((text, index) => {
          const parsed = parseTarget(text, { allowNames: true })
          const canonical = parsed.ok
            ? parsed.target.kind === 'name'
              ? parsed.target.name
              : parsed.target.prefix
            : text
          if (canonical !== name) {
            throw problem(
              errors.InvalidInput,
              `${text} is not the complaint's name ${name}; a decision revokes only what the complaint names`,
              { field: `prefixes[${index}]`, index, reason: 'outside-complaint' },
            )
          }
          return name
        })
      : body.outcome === 'suspend-order'
        ? [name]
        : []
  // A revocation asks only about its name; a suspension lifts all its order's names.
  let state: LiveStateNear
  let lifts: Lift[] = []
  if (body.outcome === 'suspend-order') {
    const whole = await app.liveState(now)
    if (order) {
      const candidates = whole.names.map((entry) => ({
        prefix: entry.name,
        until: entry.until,
        provenance: entry.provenance,
      }))
      lifts = liftOfSuspension(order.id, candidates)
    }
    state = whole
  } else {
    state = await app.liveStateNear(now, { names: [name] })
    if (body.outcome === 'revoke') lifts = liftOfNameRevocation(state.namesBlocking(name), order?.id)
  }
  const revokedBy = new Map<string, number>()
  if (targets.length > 0) {
    // The lists the state was explained with, near the name (loaded once, cached by version).
    for (const list of state.inputs.lists) {
      if (order && list.rightsholder !== order.rightsholder) continue
      const hits = (list.names ?? []).filter((listed) => namesOverlap(listed, name)).length
      if (hits > 0) revokedBy.set(list.rightsholder, (revokedBy.get(list.rightsholder) ?? 0) + hits)
    }
  }
  return { order, prefixes: [...new Set(targets)], lifts, revokedBy }
}

/** What revoking a name lifts from the enforced names blocking it (itself, wildcards above it). */
function liftOfNameRevocation(
  entries: { name: string; until: number; provenance: { order: string }[] }[],
  order?: string,
): Lift[] {
  return entries.map((entry) => {
    const orders = [...new Set(entry.provenance.map((p) => p.order))].sort()
    const removed = order === undefined ? orders : orders.filter((o) => o === order)
    return {
      prefix: entry.name,
      entry: entry.name,
      until: entry.until,
      orders: removed,
      stillBlockedBy: orders.filter((o) => !removed.includes(o)),
    }
  })
}
