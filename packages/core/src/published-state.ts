/**
 * How the state agents were last sent moves on at an instant without a full recompute: groups
 * end by their own `until` (agents drop them by their clocks), so the published groups at `now`
 * are the ones not yet ended, and the revision that says so drops the others. The full
 * recompute reconciles the published groups with computed ones through `diffGroupsQuickly`.
 */
import type { EnforcementGroup, GroupOp } from './groups.js'

/** Groups whose enforcement is still ahead or under way; an ended group never comes back. */
export function currentGroups(groups: EnforcementGroup[], now: number): EnforcementGroup[] {
  return groups.filter((group) => group.until > now)
}

/** The published groups still current at `now`, and a drop for each one that has ended. */
export function closeEnded(
  published: EnforcementGroup[],
  now: number,
): { groups: EnforcementGroup[]; ops: GroupOp[] } {
  const groups = currentGroups(published, now)
  // Nothing ended: the same array, so what callers keep by it (the breaker's bounds) still applies.
  if (groups.length === published.length) return { groups: published, ops: [] }
  const kept = new Set(groups.map((group) => group.id))
  const ops: GroupOp[] = published
    .filter((group) => !kept.has(group.id))
    .map((group) => ({ op: 'drop', id: group.id }))
  return { groups, ops }
}
