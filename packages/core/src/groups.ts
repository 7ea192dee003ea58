/**
 * Enforcement groups (docs/architecture.md, "Enforcement model"): the prefixes and names one event
 * window justifies and the instants between which agents enforce them by their own clock. This
 * module says what a group and its operations are and what is enforced at an instant; the
 * operations are computed in group-diff.ts and applied in group-apply.ts, and `computeGroups`
 * lives in compute-groups.ts.
 */
import { type PlanEntry, toEnforcementPlan } from './enforcement.js'

export interface EnforcementGroup {
  /** "w:<eventId>" */
  id: string
  event: string
  /** Enforced while from ≤ now < until (epoch ms). */
  from: number
  until: number
  /** Minimal cover, canonical CIDR, IPv4 first and ascending (as `PrefixSet.toPrefixes` gives). */
  prefixes: string[]
  /**
   * Domain names blocked at the ISP's resolver while the group is active: normalised A-labels
   * (lower case, no trailing dot), sorted ascending, no duplicates. `*.example.org` blocks every
   * name strictly under example.org (RPZ wildcard semantics), not example.org itself. Absent or
   * empty when the group blocks no name.
   */
  names?: string[]
}

export type GroupOp =
  /** New group or full replace. */
  | { op: 'put'; group: EnforcementGroup }
  /** Hot addition, revocation, moved or extended window. */
  | {
      op: 'patch'
      id: string
      from: number
      until: number
      add: string[]
      remove: string[]
      /** Names added to / removed from the group's `names`; absent means none. */
      addNames?: string[]
      removeNames?: string[]
    }
  /**
   * New group or full replace, holding the prefixes and names that group `source` holds after the
   * preceding ops of the same revision: every window of a matchday shares one cover, so staging a
   * new window costs one op instead of its 100k–300k prefixes. `source` is never `id`.
   */
  | { op: 'copy'; id: string; event: string; from: number; until: number; source: string }
  /** Window cancelled or ended. */
  | { op: 'drop'; id: string }

/**
 * How many entries (prefixes and names) the ops name: a put counts its whole group, a copy and a
 * drop none (a copy names its source's entries without carrying them).
 */
export function entriesOfOps(ops: readonly GroupOp[]): number {
  let entries = 0
  for (const op of ops) {
    if (op.op === 'put') entries += op.group.prefixes.length + (op.group.names?.length ?? 0)
    else if (op.op === 'patch')
      entries += op.add.length + op.remove.length + (op.addNames?.length ?? 0) + (op.removeNames?.length ?? 0)
  }
  return entries
}

/** What is enforced at `now`: the plan of the groups with from ≤ now < until. */
export function activeAt(groups: EnforcementGroup[], now: number): PlanEntry[] {
  const entries: PlanEntry[] = []
  for (const group of groups) {
    if (group.from <= now && now < group.until) {
      for (const prefix of group.prefixes) entries.push({ prefix, until: group.until })
    }
  }
  return toEnforcementPlan(entries)
}

/** The names blocked at `now`: those of the groups with from ≤ now < until, each with its latest until. */
export function activeNamesAt(groups: EnforcementGroup[], now: number): { name: string; until: number }[] {
  const untilByName = new Map<string, number>()
  for (const group of groups) {
    if (group.from > now || now >= group.until) continue
    for (const name of group.names ?? []) {
      untilByName.set(name, Math.max(untilByName.get(name) ?? 0, group.until))
    }
  }
  return [...untilByName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, until]) => ({ name, until }))
}
