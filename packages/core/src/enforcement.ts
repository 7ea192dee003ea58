/**
 * Enforcement plans: what an edge agent programs. Entries from different windows may overlap
 * (a /24 from one match, a /32 inside it from another); the plan flattens them into
 * non-overlapping prefixes where each address keeps the latest `until` that covers it, so an
 * agent can hand each prefix a single expiry.
 */
import { PrefixSet } from './prefix-set.js'

export interface PlanEntry {
  /** Canonical CIDR. */
  prefix: string
  /** Epoch ms at which enforcement of this prefix ends by itself. */
  until: number
}

/**
 * Flattens entries into non-overlapping prefixes (minimal cover per `until`), each address
 * carrying the latest `until` of the entries covering it. Ordered by `until` descending, then
 * by address.
 */
export function toEnforcementPlan(entries: Iterable<PlanEntry>): PlanEntry[] {
  const byUntil = new Map<number, string[]>()
  for (const entry of entries) {
    const prefixes = byUntil.get(entry.until)
    if (prefixes === undefined) byUntil.set(entry.until, [entry.prefix])
    else prefixes.push(entry.prefix)
  }
  const untils = [...byUntil.keys()].sort((a, b) => b - a)
  const plan: PlanEntry[] = []
  let covered = PrefixSet.empty()
  // Latest first: whatever a later `until` already covers is not enforced again with an earlier one.
  for (const until of untils) {
    const own = PrefixSet.from(byUntil.get(until)!).subtract(covered)
    for (const prefix of own.toPrefixes()) plan.push({ prefix, until })
    covered = covered.union(own)
  }
  return plan
}

/**
 * What changes between two plans. An agent applies `remove` first, then `add`: a prefix whose
 * `until` changed appears only in `add` (the agent replaces its expiry), a prefix that was split
 * or merged appears as removal of the old and addition of the new pieces.
 */
export function diffPlans(prev: PlanEntry[], next: PlanEntry[]): { add: PlanEntry[]; remove: string[] } {
  const before = new Map<string, number>()
  for (const entry of prev) before.set(entry.prefix, entry.until)
  const after = new Set<string>()
  const add: PlanEntry[] = []
  for (const entry of next) {
    after.add(entry.prefix)
    if (before.get(entry.prefix) !== entry.until) add.push(entry)
  }
  const remove = prev.filter((entry) => !after.has(entry.prefix)).map((entry) => entry.prefix)
  return { add, remove }
}
