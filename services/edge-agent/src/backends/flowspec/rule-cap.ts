import { type PlanEntry, superPrefix } from '@offside/core'

/**
 * Routers hold a few thousand flow routes (≈3000 on a Cisco ASR 9000), so the backend announces at
 * most `maxRules`. When more are enforced at once it may, if the operator allows it, widen entries
 * to a shorter common prefix (never shorter than `aggregate.v4` / `aggregate.v6`), starting with
 * the super-prefixes that absorb the most entries; whatever still does not fit is reported, never
 * dropped silently.
 */
export interface RuleCap {
  maxRules: number
  /** The shortest prefix length entries may be widened to; absent = no aggregation. */
  aggregate?: { v4: number; v6: number } | undefined
}

export interface CappedPlan {
  /** Prefixes to announce (at most `maxRules`). */
  announce: string[]
  /** Enforced prefixes that are not announced because the cap was reached. */
  notFitting: string[]
  /** Wider prefixes announced in place of several entries, with the entries they cover. */
  aggregated: Array<{ prefix: string; covers: string[] }>
}

/**
 * Fits a non-overlapping plan (core's `toEnforcementPlan`) under the cap. Aggregation merges the
 * entries under one super-prefix only when that lowers the count, biggest savings first.
 */
export function capPlan(plan: PlanEntry[], cap: RuleCap): CappedPlan {
  let prefixes = plan.map((entry) => entry.prefix)
  const aggregated: CappedPlan['aggregated'] = []
  if (prefixes.length > cap.maxRules && cap.aggregate) {
    const buckets = new Map<string, string[]>()
    for (const prefix of prefixes) {
      const length = prefix.includes(':') ? cap.aggregate.v6 : cap.aggregate.v4
      const key = superPrefix(prefix, length)
      if (key === prefix) continue
      buckets.set(key, [...(buckets.get(key) ?? []), prefix])
    }
    const merged = new Set<string>()
    let count = prefixes.length
    const biggestFirst = [...buckets]
      .filter(([, members]) => members.length > 1)
      .sort((a, b) => b[1].length - a[1].length)
    for (const [key, members] of biggestFirst) {
      if (count <= cap.maxRules) break
      aggregated.push({ prefix: key, covers: members })
      for (const member of members) merged.add(member)
      count -= members.length - 1
    }
    prefixes = [...aggregated.map((a) => a.prefix), ...prefixes.filter((prefix) => !merged.has(prefix))]
  }
  return { announce: prefixes.slice(0, cap.maxRules), notFitting: prefixes.slice(cap.maxRules), aggregated }
}
