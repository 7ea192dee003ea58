/**
 * What a complaint may name and what upholding it lifts (SPEC rules 7, 14). A complaint is about
 * one lawful service on a shared server, so it names one address or a prefix no broader than the
 * guard's soft limit; a decision may revoke only inside what the complaint names. Without these
 * bounds one anonymous complaint for 0.0.0.0/0, upheld with its default prefixes, lifts every
 * block of every order.
 */

import { parseCidr } from './ip-address.js'
import type { Provenance } from './state-inputs.js'
import type { PrefixTarget } from './target.js'

export type ScopeReason = 'broader-than-soft-limit' | 'outside-complaint'

export type ScopeCheck = { ok: true } | { ok: false; reason: ScopeReason; message: string }

/** Refuses a complaint target broader than the soft limit (default /24 IPv4, /48 IPv6). */
export function checkComplaintTarget(
  target: PrefixTarget,
  softLimit: { v4: number; v6: number },
): ScopeCheck {
  const limit = target.family === 4 ? softLimit.v4 : softLimit.v6
  if (target.length >= limit) return { ok: true }
  return {
    ok: false,
    reason: 'broader-than-soft-limit',
    message: `a complaint names one address or a prefix of at most /${limit}; ${target.prefix} is broader`,
  }
}

/** True when canonical prefix `inner` lies inside canonical prefix `outer`. */
export function prefixWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner)
  const b = parseCidr(outer)
  return a.family === b.family && a.start >= b.start && a.end <= b.end
}

/** Refuses a revoked prefix that reaches outside the complaint's target. */
export function checkRevocationScope(prefix: string, complaintTarget: string): ScopeCheck {
  if (prefixWithin(prefix, complaintTarget)) return { ok: true }
  return {
    ok: false,
    reason: 'outside-complaint',
    message: `${prefix} reaches outside the complaint's target ${complaintTarget}; a decision revokes only inside what the complaint names`,
  }
}

/** An enforced entry, as far as lifting it is concerned. */
export interface LiftCandidate {
  prefix: string
  until: number
  provenance: Provenance[]
}

/** One piece of enforced address space a decision takes out of one entry. */
export interface Lift {
  /** The address space that stops being blocked (the entry, or the part of it the decision names). */
  prefix: string
  /** The enforced entry it is cut from. */
  entry: string
  until: number
  /** Orders whose block on it the decision removes. */
  orders: string[]
  /** Orders that keep it blocked (a revocation limited to one order leaves the others' blocks). */
  stillBlockedBy: string[]
}

/**
 * What revoking `named` (canonical prefixes inside the complaint) lifts from `entries` (the
 * enforced entries overlapping them): the overlap of each entry with each named prefix. With
 * `order`, only that order's provenance goes; the address stays blocked when another order lists it.
 */
export function liftOfRevocation(named: string[], entries: LiftCandidate[], order?: string): Lift[] {
  const lifts: Lift[] = []
  for (const entry of entries) {
    const orders = [...new Set(entry.provenance.map((p) => p.order))].sort()
    const removed = order === undefined ? orders : orders.filter((o) => o === order)
    const kept = orders.filter((o) => !removed.includes(o))
    for (const prefix of named) {
      const overlap = prefixWithin(prefix, entry.prefix)
        ? prefix
        : prefixWithin(entry.prefix, prefix)
          ? entry.prefix
          : null
      if (overlap === null) continue
      lifts.push({
        prefix: overlap,
        entry: entry.prefix,
        until: entry.until,
        orders: removed,
        stillBlockedBy: kept,
      })
    }
  }
  return lifts
}

/** What suspending `order` lifts: its entries that no other order keeps blocked. */
export function liftOfSuspension(order: string, entries: LiftCandidate[]): Lift[] {
  const lifts: Lift[] = []
  for (const entry of entries) {
    const orders = [...new Set(entry.provenance.map((p) => p.order))].sort()
    if (!orders.includes(order)) continue
    lifts.push({
      prefix: entry.prefix,
      entry: entry.prefix,
      until: entry.until,
      orders: [order],
      stillBlockedBy: orders.filter((o) => o !== order),
    })
  }
  return lifts
}
