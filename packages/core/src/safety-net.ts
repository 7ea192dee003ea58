/**
 * The ISP's own safety net (SPEC rule 16): limits an edge agent applies to every revision before
 * its backend sees it, so that one mistake or one compromise of the control plane cannot
 * black-hole the ISP. A validly signed revision is still only a request: what breaks a local limit
 * is refused here and reported, and the rest is enforced.
 */
import type { EnforcementGroup } from './groups.js'
import { PrefixSet } from './prefix-set.js'

/** Why the agent refused part of a revision. */
export const REFUSAL_REASONS = [
  'never-block',
  'broader-than-limit',
  'longer-than-limit',
  'over-capacity',
] as const
export type RefusalReason = (typeof REFUSAL_REASONS)[number]

export interface Refusal {
  reason: RefusalReason
  group: string
  /** The refused prefix; absent when the whole group is refused (a duration over the limit). */
  prefix?: string
  /** Targets refused with it (the whole group's prefixes and names, or a run over the capacity budget). */
  count: number
}

export interface SafetyNetLimits {
  /** Canonical prefixes the agent never blocks, nor anything overlapping them. */
  neverBlock: string[]
  /** The broadest prefix accepted, as the shortest length per family. */
  broadest: { v4: number; v6: number }
  /** Longest `until − from` of a group, in ms; a longer group is refused whole. */
  maxGroupDurationMs: number
  /** Most prefixes enforced at any one instant over all groups (active and staged alike). */
  capacity: number
}

/** Defaults: the guard's hard limits, a day per group, and no capacity bound beyond the backend's. */
export const defaultSafetyNetLimits: SafetyNetLimits = {
  neverBlock: [],
  broadest: { v4: 16, v6: 32 },
  maxGroupDurationMs: 24 * 3600_000,
  capacity: Number.POSITIVE_INFINITY,
}

export interface SafetyNetResult {
  /** The groups to enforce: the same objects where nothing was refused. */
  groups: EnforcementGroup[]
  refused: Refusal[]
  /** Targets refused in all (prefixes, and names of groups refused whole). */
  refusedPrefixes: number
}

const lengthOf = (prefix: string) => Number(prefix.slice(prefix.indexOf('/') + 1))

/**
 * Filters `groups` through the limits. Groups are taken in order of `from` (then id) so that the
 * capacity budget is spent deterministically: a group gets what the groups overlapping it in time
 * and taken before it leave. By the interval property, checking at each group's start bounds the
 * count at every instant.
 */
export function applySafetyNet(
  groups: EnforcementGroup[],
  limits: SafetyNetLimits,
  /**
   * Prefix lists already found to hold nothing broader than `limits` allow nor overlapping their
   * never-block ranges (an agent keeps one for its fixed limits): such a list is checked again for
   * capacity only, so an unchanged 100k-prefix group costs nothing on the next revision.
   */
  cleared?: WeakSet<readonly string[]>,
): SafetyNetResult {
  const never = PrefixSet.from(limits.neverBlock)
  // A family without never-block ranges cannot overlap them: its prefixes need no parsing.
  const neverIn = {
    v4: limits.neverBlock.some((prefix) => !prefix.includes(':')),
    v6: limits.neverBlock.some((prefix) => prefix.includes(':')),
  }
  const refused: Refusal[] = []
  let refusedPrefixes = 0
  const ordered = [...groups].sort((a, b) => a.from - b.from || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const accepted = new Map<string, EnforcementGroup>()
  const taken: { until: number; count: number }[] = []
  for (const group of ordered) {
    if (group.until - group.from > limits.maxGroupDurationMs) {
      // Refused whole, names too: the window it claims is what is wrong.
      const { names, ...rest } = group
      const count = group.prefixes.length + (names?.length ?? 0)
      if (count > 0) {
        refused.push({ reason: 'longer-than-limit', group: group.id, count })
        refusedPrefixes += count
      }
      accepted.set(group.id, { ...rest, prefixes: [] })
      continue
    }
    const live = taken.reduce((sum, other) => (other.until > group.from ? sum + other.count : sum), 0)
    let room = limits.capacity - live
    if (cleared?.has(group.prefixes) && room >= group.prefixes.length) {
      taken.push({ until: group.until, count: group.prefixes.length })
      accepted.set(group.id, group)
      continue
    }
    let overCapacity: Refusal | null = null
    let refusedHere = false
    const kept: string[] = []
    for (const prefix of group.prefixes) {
      const family = prefix.includes(':') ? 'v6' : 'v4'
      let reason: RefusalReason | null = null
      if (lengthOf(prefix) < limits.broadest[family]) reason = 'broader-than-limit'
      else if (neverIn[family] && never.overlaps(prefix)) reason = 'never-block'
      else if (room <= 0) reason = 'over-capacity'
      if (reason !== null && reason !== 'over-capacity') refusedHere = true
      if (reason === null) {
        kept.push(prefix)
        room--
        continue
      }
      refusedPrefixes++
      if (reason === 'over-capacity') {
        if (overCapacity) overCapacity.count++
        else {
          overCapacity = { reason, group: group.id, prefix, count: 1 }
          refused.push(overCapacity)
        }
      } else refused.push({ reason, group: group.id, prefix, count: 1 })
    }
    if (!refusedHere) cleared?.add(group.prefixes)
    taken.push({ until: group.until, count: kept.length })
    accepted.set(group.id, kept.length === group.prefixes.length ? group : { ...group, prefixes: kept })
  }
  if (refusedPrefixes === 0) return { groups, refused, refusedPrefixes }
  return { groups: groups.map((group) => accepted.get(group.id) ?? group), refused, refusedPrefixes }
}
