/**
 * Diffs of groups whose prefixes are minimal covers (as `computeGroups` gives them), for the
 * scheduler's hot path: set algebra on a 100k-prefix group costs hundreds of milliseconds, while
 * two minimal covers can be compared as strings.
 */
import { diffGroupsBy, diffNames, sameEntries } from './group-diff.js'
import type { EnforcementGroup, GroupOp } from './groups.js'

/**
 * Same contract as `diffGroups` (`applyGroupOps(previous, ops)` gives `next`), computed on
 * the prefix strings instead of with set algebra. Both sides are minimal covers, whose prefixes
 * never overlap, so removing the old-only prefixes and adding the new-only ones gives exactly the
 * new set: a 100k-prefix group is compared in milliseconds, not hundreds of them.
 */
export function diffGroupsQuickly(
  previous: EnforcementGroup[],
  next: EnforcementGroup[],
  /** A patch already known for two covers (the cover cache's), checked before comparing. */
  known?: KnownPatch,
): GroupOp[] {
  return diffGroupsBy(previous, next, (old, group) => {
    const same = sameEntries(old.prefixes, group.prefixes)
    const sameNames = sameEntries(old.names ?? [], group.names ?? [])
    if (same && sameNames) return undefined
    const { add, remove } = same
      ? { add: [], remove: [] }
      : (known?.(old.prefixes, group.prefixes) ?? stringDiff(old.prefixes, group.prefixes))
    const { addNames, removeNames } = sameNames
      ? { addNames: [], removeNames: [] }
      : diffNames(old.names ?? [], group.names ?? [])
    return { add, remove, addNames, removeNames }
  })
}

/** A patch already known for two covers (`CoverCache.patch`). */
export type KnownPatch = (
  previous: string[],
  next: string[],
) => { add: string[]; remove: string[] } | undefined

/**
 * What `next` adds to and takes from `previous`, group by group, without a set of every prefix:
 * a superset of the prefixes no group of `previous` held (`added`) and of those no group of
 * `next` holds (`removed`). A group whose prefixes equal some group on the other side counts for
 * nothing (every window of a matchday shares one cover), so a 1-entry change costs one patch.
 */
export function changedPrefixes(
  previous: EnforcementGroup[],
  next: EnforcementGroup[],
  known?: KnownPatch,
): { added: string[]; removed: string[] } {
  const before = new Map(previous.map((group) => [group.id, group]))
  const after = new Map(next.map((group) => [group.id, group]))
  // Lists, each once by identity: the windows of a matchday share one cover and so one patch.
  const added = new Set<string[]>()
  const removed = new Set<string[]>()
  const matches = (group: EnforcementGroup, others: EnforcementGroup[]) =>
    others.some((other) => sameEntries(other.prefixes, group.prefixes))
  for (const group of next) {
    const old = before.get(group.id)
    if (old && sameEntries(old.prefixes, group.prefixes)) continue
    if (!old) {
      if (!matches(group, previous) && group.prefixes.length > 0) added.add(group.prefixes)
      continue
    }
    const { add, remove } = known?.(old.prefixes, group.prefixes) ?? stringDiff(old.prefixes, group.prefixes)
    if (add.length > 0) added.add(add)
    if (remove.length > 0) removed.add(remove)
  }
  for (const group of previous) {
    if (!after.has(group.id) && !matches(group, next) && group.prefixes.length > 0)
      removed.add(group.prefixes)
  }
  return { added: distinct(added), removed: distinct(removed) }
}

/** The distinct entries of some lists; a single list is handed back as it is (covers hold no repeats): read it, never change it. */
function distinct(lists: Set<string[]>): string[] {
  if (lists.size === 0) return []
  if (lists.size === 1) return [...lists][0]!
  const all = new Set<string>()
  // Added one by one: spreading a 300k-prefix group into a call overflows the call stack.
  for (const list of lists) for (const prefix of list) all.add(prefix)
  return [...all]
}

/**
 * A {@link KnownPatch} that asks `known` first and otherwise compares the two covers as strings,
 * remembering what it compared: the scheduler's breaker and diff both compare the same two
 * arrays of a replaced 100k-entry list, which then costs one pair of string sets, not two.
 * Covers are never changed in place, so an array pair stands for its contents. Keep one per
 * recompute.
 */
export function rememberingPatches(known?: KnownPatch): KnownPatch {
  const seen: { previous: string[]; next: string[]; patch: { add: string[]; remove: string[] } }[] = []
  return (previous, next) => {
    const patch = known?.(previous, next)
    if (patch) return patch
    const held = seen.find((entry) => entry.previous === previous && entry.next === next)
    if (held) return held.patch
    const fresh = stringDiff(previous, next)
    seen.push({ previous, next, patch: fresh })
    return fresh
  }
}

function stringDiff(before: string[], after: string[]): { add: string[]; remove: string[] } {
  const beforeSet = new Set(before)
  const afterSet = new Set(after)
  return {
    add: after.filter((prefix) => !beforeSet.has(prefix)),
    remove: before.filter((prefix) => !afterSet.has(prefix)),
  }
}
