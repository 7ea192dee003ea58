/**
 * How many prefixes a set of groups enforces at one instant, without building the merged plan
 * when it is not needed: the windows of one matchday usually share one cover (same week, same
 * orders), so identical prefix lists are counted once, and a single cover is a minimal cover
 * already, counted by its length. With three windows of 3 × 100k prefixes this is a pointer
 * comparison per prefix instead of merging 900 000 entries on every revision.
 */
import { sameEntries } from './group-diff.js'
import { activeAt, type EnforcementGroup } from './groups.js'

/** The number of entries of `activeAt(groups, now)`, computed cheaply when covers repeat. */
export function enforcedCount(groups: EnforcementGroup[], now: number): number {
  const distinct: EnforcementGroup[] = []
  for (const group of groups) {
    if (!(group.from <= now && now < group.until) || group.prefixes.length === 0) continue
    // Of identical covers, the latest until decides how core splits overlaps.
    const twin = distinct.findIndex((seen) => sameEntries(seen.prefixes, group.prefixes))
    if (twin < 0) distinct.push(group)
    else if (distinct[twin]!.until < group.until) distinct[twin] = group
  }
  if (distinct.length === 0) return 0
  if (distinct.length === 1) return distinct[0]!.prefixes.length
  return activeAt(distinct, now).length
}

/**
 * The groups with equal prefix lists holding one and the same array (a snapshot parsed from JSON
 * holds a copy per window): then comparing them, counting them and patching them (applyGroupOps
 * patches a shared cover once) cost a pointer comparison instead of one per prefix.
 */
export function shareCovers(groups: EnforcementGroup[]): EnforcementGroup[] {
  const covers: string[][] = []
  return groups.map((group) => {
    const same = covers.find((cover) => sameEntries(cover, group.prefixes))
    if (!same) {
      covers.push(group.prefixes)
      return group
    }
    return same === group.prefixes ? group : { ...group, prefixes: same }
  })
}
