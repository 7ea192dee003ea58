/**
 * Patching a minimal cover inside regions (/24 for IPv4, /64 for IPv6) instead of covering the
 * whole set again: a minimal cover is the concatenation of the covers of each maximal interval,
 * and a CIDR block narrower than a region never crosses a region boundary; so as long as no
 * region is entirely in either set (checked: then a block may span regions and the patch gives
 * up), the cover outside the changed regions is unchanged. The cover cache (cover-cache.ts) is
 * the one user.
 */
import { parseCidr, superPrefix } from './ip-address.js'
import { PrefixSet } from './prefix-set.js'

/** Regions: a change is re-covered within its /24 (IPv4) or /64 (IPv6). */
const REGION = { 4: 24, 6: 64 } as const

/** Changes touching more than this many prefixes are covered from scratch (a new upload). */
export const INCREMENTAL_MAX = 20_000

/** A set with its minimal cover (`set.toPrefixes()`, kept so that it is not computed again). */
export interface CoveredSet {
  set: PrefixSet
  cover: string[]
}

/** A cover and how it differs from the cover it was patched from. */
export interface PatchedCover {
  cover: string[]
  add: string[]
  remove: string[]
}

function lengthOf(prefix: string): number {
  return Number(prefix.slice(prefix.indexOf('/') + 1))
}

function familyOf(prefix: string): 4 | 6 {
  return prefix.includes(':') ? 6 : 4
}

/** True when `prefix` is as wide as a region or wider: it may merge across region boundaries. */
function isRegionWide(prefix: string): boolean {
  return lengthOf(prefix) <= REGION[familyOf(prefix)]
}

/** The /24 or /64 holding `prefix`, or `prefix` itself when it is wider. */
export function regionOf(prefix: string): string {
  return superPrefix(prefix, REGION[familyOf(prefix)])
}

/** The regions holding `prefixes`, as one set. */
export function regionsOf(prefixes: readonly string[]): PrefixSet {
  return PrefixSet.from(new Set(prefixes.map(regionOf)))
}

/**
 * The cover of `held` once its set changed only inside `regions` (`local` is the new set cut to
 * the regions); undefined when a region-wide block may merge across regions. When nothing
 * changed, the held cover itself with empty add and remove.
 */
export function regionCover(
  held: CoveredSet,
  regions: PrefixSet,
  local: PrefixSet,
): PatchedCover | undefined {
  const before = held.set.intersect(regions).toPrefixes()
  const after = local.toPrefixes()
  if (before.some(isRegionWide) || after.some(isRegionWide)) return undefined
  const beforeSet = new Set(before)
  const afterSet = new Set(after)
  const remove = before.filter((prefix) => !afterSet.has(prefix))
  const add = after.filter((prefix) => !beforeSet.has(prefix))
  if (remove.length === 0 && add.length === 0) return { cover: held.cover, add, remove }
  const removed = new Set(remove)
  const kept = removed.size > 0 ? held.cover.filter((prefix) => !removed.has(prefix)) : held.cover
  return { cover: insertSorted(kept, add), add, remove }
}

/**
 * The minimal cover of `next` from the held cover of the previous set, re-covering only the
 * regions that hold a changed address. Undefined when the change is too large, a region is full
 * or nothing changed: the caller covers from scratch.
 */
export function incrementalCover(held: CoveredSet, next: PrefixSet): PatchedCover | undefined {
  const changed = next.subtract(held.set).union(held.set.subtract(next)).toPrefixes()
  if (changed.length > INCREMENTAL_MAX) return undefined
  const regions = regionsOf(changed)
  const patch = regionCover(held, regions, next.intersect(regions))
  if (!patch || (patch.add.length === 0 && patch.remove.length === 0)) return undefined
  return patch
}

/** Sort key of a prefix in a minimal cover: IPv4 before IPv6, then by first address. */
function compareStart(a: string, b: string): number {
  const x = parseCidr(a)
  const y = parseCidr(b)
  if (x.family !== y.family) return x.family - y.family
  return x.start < y.start ? -1 : x.start > y.start ? 1 : 0
}

/** Inserts `add` into the sorted, disjoint `cover` in order, parsing only the probed prefixes. */
function insertSorted(cover: string[], add: string[]): string[] {
  if (add.length === 0) return cover
  const sorted = [...add].sort(compareStart)
  const out: string[] = []
  let from = 0
  for (const prefix of sorted) {
    let low = from
    let high = cover.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareStart(cover[middle]!, prefix) < 0) low = middle + 1
      else high = middle
    }
    for (let i = from; i < low; i++) out.push(cover[i]!)
    out.push(prefix)
    from = low
  }
  for (let i = from; i < cover.length; i++) out.push(cover[i]!)
  return out
}
