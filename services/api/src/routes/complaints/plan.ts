import {
  checkRevocationScope,
  displayPrefix,
  isNameText,
  type Lift,
  liftOfRevocation,
  liftOfSuspension,
  type Order,
  PrefixSet,
  parseTarget,
} from '@offside/core'
import { type Complaint, getOrder } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import { errors, problem } from '../../errors.js'
import type { LiveStateNear } from '../../live-state.js'
import { planNameDecision } from './plan-names.js'

/** At most this many lifts are listed in an answer; `liftsTotal` says how many there are. */
export const MAX_LIFTS_SHOWN = 1000

export interface DecisionBody {
  outcome: 'revoke' | 'suspend-order' | 'reject'
  reason: string
  prefixes?: string[]
  order?: string
}

/** What a decision would do, computed the same way for the preview and for the decision itself. */
export interface DecisionPlan {
  order: Order | null
  /** The revoked prefixes (revoke), or the complaint's target (suspend-order, for the counters). */
  prefixes: string[]
  lifts: Lift[]
  revokedBy: Map<string, number>
}

export function canonicalPrefix(text: string, field: string, index?: number): string {
  const parsed = parseTarget(text)
  if (!parsed.ok || parsed.target.kind !== 'prefix') {
    throw problem(errors.InvalidInput, parsed.ok ? `"${text}" is not an address or prefix` : parsed.message, {
      field,
      reason: parsed.ok ? 'malformed' : parsed.reason,
      ...(index !== undefined ? { index } : {}),
    })
  }
  return parsed.target.prefix
}

/**
 * Validates a decision against its complaint and works out what it lifts from what agents
 * enforce now. A revocation may only reach inside the complaint's target, so no decision lifts
 * more than the complaint asked about.
 */
export async function planDecision(
  app: FastifyInstance,
  complaint: Complaint,
  body: DecisionBody,
  now: number,
): Promise<DecisionPlan> {
  const order = body.order ? await getOrder(app.db, body.order) : null
  if (body.order && !order) throw problem(errors.InvalidInput, `no order "${body.order}"`, { field: 'order' })
  if (body.outcome === 'suspend-order' && !order) {
    throw problem(errors.InvalidInput, 'suspend-order needs the order to suspend', { field: 'order' })
  }
  if (isNameText(complaint.target)) return planNameDecision(app, complaint, body, now, order)
  const prefixes =
    body.outcome === 'revoke'
      ? (body.prefixes ?? [complaint.target]).map((text, index) => {
          const prefix = canonicalPrefix(text, `prefixes[${index}]`, index)
          const scope = checkRevocationScope(prefix, complaint.target)
          if (!scope.ok) {
            throw problem(errors.InvalidInput, scope.message, {
              field: `prefixes[${index}]`,
              index,
              reason: scope.reason,
            })
          }
          return prefix
        })
      : body.outcome === 'suspend-order'
        ? [complaint.target]
        : []
  // A revocation asks only about its prefixes; a suspension lifts all its order's entries.
  let state: LiveStateNear | null = null
  let lifts: Lift[] = []
  if (body.outcome === 'revoke') {
    const near = await app.liveStateNear(now, { prefixes })
    lifts = liftOfRevocation(
      prefixes,
      prefixes.flatMap((prefix) => near.touching(prefix)),
      order?.id,
    )
    state = near
  } else if (body.outcome === 'suspend-order') {
    const whole = await app.liveState(now)
    if (order) lifts = liftOfSuspension(order.id, whole.entries)
    state = whole
  }
  // Reporter accountability (SPEC rule 12): count, per rightsholder, the listed entries this decision takes out.
  const revokedBy = new Map<string, number>()
  if (state && prefixes.length > 0) {
    const revoked = PrefixSet.from(prefixes)
    // The lists the live state was explained with (loaded once, cached by version), not a second load.
    for (const list of state.inputs.lists) {
      if (order && list.rightsholder !== order.rightsholder) continue
      const hits = list.prefixes.filter((prefix) => revoked.overlaps(prefix)).length
      if (hits > 0) revokedBy.set(list.rightsholder, (revokedBy.get(list.rightsholder) ?? 0) + hits)
    }
  }
  return { order, prefixes, lifts: dedupe(lifts), revokedBy }
}

/** One lift per (entry, prefix): overlapping named prefixes can name the same space twice. */
function dedupe(lifts: Lift[]): Lift[] {
  const seen = new Set<string>()
  return lifts.filter((lift) => {
    const key = `${lift.entry} ${lift.prefix}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** The lifts as the API shows them: display prefixes, ISO instants, at most MAX_LIFTS_SHOWN. */
export function liftsView(lifts: Lift[]) {
  return {
    liftsTotal: lifts.length,
    lifts: lifts.slice(0, MAX_LIFTS_SHOWN).map((lift) => ({
      prefix: displayPrefix(lift.prefix),
      entry: displayPrefix(lift.entry),
      until: new Date(lift.until).toISOString(),
      orders: lift.orders,
      stillBlockedBy: lift.stillBlockedBy,
    })),
  }
}
