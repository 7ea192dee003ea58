/**
 * Shortcuts around core's group functions for the scheduler's hot path. A recompute usually finds
 * most groups unchanged, and core's set algebra on a 100k-prefix group costs hundreds of
 * milliseconds; comparing the (sorted, minimal) prefix arrays first costs a few.
 */
import { activeAt, diffGroups, type EnforcementGroup, type GroupOp } from '@offside/core'

function samePrefixes(a: string[], b: string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Same result as `diffGroups(previous, next)` (applying it to `previous` gives `next`), but groups
 * whose prefixes are unchanged skip the set algebra: they produce nothing, or a patch of their
 * instants when the window moved.
 */
export function diffGroupsQuickly(previous: EnforcementGroup[], next: EnforcementGroup[]): GroupOp[] {
  const before = new Map(previous.map((group) => [group.id, group]))
  const unchanged = new Set<string>()
  const patches: GroupOp[] = []
  for (const group of next) {
    const old = before.get(group.id)
    if (!old || old.event !== group.event || !samePrefixes(old.prefixes, group.prefixes)) continue
    unchanged.add(group.id)
    if (old.from !== group.from || old.until !== group.until) {
      patches.push({ op: 'patch', id: group.id, from: group.from, until: group.until, add: [], remove: [] })
    }
  }
  const rest = diffGroups(
    previous.filter((group) => !unchanged.has(group.id)),
    next.filter((group) => !unchanged.has(group.id)),
  )
  return [...rest, ...patches]
}

/**
 * How many prefixes are enforced at `now`. Groups of one matchday usually share one cover (same
 * week, same orders), so identical prefix lists are counted once before core merges the rest.
 */
export function countEnforced(groups: EnforcementGroup[], now: number): number {
  const distinct: EnforcementGroup[] = []
  for (const group of groups) {
    if (!(group.from <= now && now < group.until) || group.prefixes.length === 0) continue
    if (!distinct.some((seen) => samePrefixes(seen.prefixes, group.prefixes))) distinct.push(group)
  }
  if (distinct.length === 0) return 0
  if (distinct.length === 1) return distinct[0]!.prefixes.length
  return activeAt(distinct, now).length
}
