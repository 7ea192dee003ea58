import { displayPrefix } from '@offside/core'
import type { Complaint, HeldEntry } from '@offside/store'

/** An instant (epoch milliseconds) as answers show it: ISO 8601 in UTC. */
export const iso = (ms: number): string => new Date(ms).toISOString()

/** An instant that may be unset, as an optional field of an answer: absent when unset. */
export function isoField<const K extends string>(key: K, ms: number | undefined): Partial<Record<K, string>> {
  return ms === undefined ? {} : ({ [key]: iso(ms) } as Record<K, string>)
}

/** A held entry as guard review shows it (HeldView). */
export const heldView = ({ heldAt, decidedAt, target, ...rest }: HeldEntry) => ({
  ...rest,
  target: displayPrefix(target),
  heldAt: iso(heldAt),
  ...isoField('decidedAt', decidedAt),
})

/** A complaint as the authority's review shows it (ComplaintView). */
export const complaintView = ({ filedAt, decision, target, ...rest }: Complaint) => ({
  ...rest,
  target: displayPrefix(target),
  filedAt: iso(filedAt),
  ...(decision ? { decision: { ...decision, decidedAt: iso(decision.decidedAt) } } : {}),
})
