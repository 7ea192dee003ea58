/**
 * Which tagged ranges (protected ranges, special-purpose blocks) overlap a prefix.
 *
 * CIDR ranges never partially overlap: two prefixes are nested or disjoint. So the ranges that
 * overlap a query prefix Q are (a) those starting inside Q — one contiguous run of the list
 * sorted by start, found by binary search — and (b) those containing Q's first address, which
 * are ancestors in the nesting tree and are reached by following parent links. A query costs
 * O(log n + depth + k), where depth is at most the address width (32 or 128).
 */
import { type CidrInterval, parseCidr } from './ip-address.js'
import type { Bound } from './ip-intervals.js'
import { lowerBound } from './sorted.js'

interface FamilyIndex<B extends Bound, T> {
  starts: B[]
  ends: B[]
  /** Index of the nearest range that contains this one, or -1. */
  parents: number[]
  values: T[]
}

function buildFamily<B extends Bound, T>(items: { start: B; end: B; value: T }[]): FamilyIndex<B, T> {
  // By start; at equal starts the wider range first, so it becomes the parent of the narrower.
  items.sort((x, y) =>
    x.start < y.start ? -1 : x.start > y.start ? 1 : x.end > y.end ? -1 : x.end < y.end ? 1 : 0,
  )
  const index: FamilyIndex<B, T> = { starts: [], ends: [], parents: [], values: [] }
  const open: number[] = [] // ranges that may still contain the next one
  items.forEach((item, i) => {
    while (open.length > 0 && index.ends[open[open.length - 1]!]! <= item.start) open.pop()
    index.starts.push(item.start)
    index.ends.push(item.end)
    index.parents.push(open.length > 0 ? open[open.length - 1]! : -1)
    index.values.push(item.value)
    open.push(i)
  })
  return index
}

function query<B extends Bound, T>(index: FamilyIndex<B, T>, start: B, end: B): T[] {
  const found: T[] = []
  const first = lowerBound(index.starts, start)
  // (b) Ranges that start before Q and contain its first address, nearest first; reported
  // outermost first so results read from the widest range inward.
  const containing: T[] = []
  let node = first - 1
  while (node >= 0) {
    if (index.ends[node]! > start) containing.push(index.values[node]!)
    node = index.parents[node]!
  }
  for (let i = containing.length - 1; i >= 0; i--) found.push(containing[i]!)
  // (a) Ranges that start inside Q.
  for (let i = first; i < index.starts.length && index.starts[i]! < end; i++) found.push(index.values[i]!)
  return found
}

export class RangeIndex<T> {
  private readonly v4: FamilyIndex<number, T>
  private readonly v6: FamilyIndex<bigint, T>

  /** Builds the index; every `prefix` must be a canonical CIDR (throws otherwise). */
  constructor(ranges: Iterable<{ prefix: string; value: T }>) {
    const v4: { start: number; end: number; value: T }[] = []
    const v6: { start: bigint; end: bigint; value: T }[] = []
    for (const { prefix, value } of ranges) {
      const range = parseCidr(prefix)
      if (range.family === 4) v4.push({ start: range.start, end: range.end, value })
      else v6.push({ start: range.start, end: range.end, value })
    }
    this.v4 = buildFamily(v4)
    this.v6 = buildFamily(v6)
  }

  /** Values of every range sharing at least one address with `prefix` (canonical CIDR). */
  overlapping(prefix: string): T[] {
    return this.overlappingInterval(parseCidr(prefix))
  }

  /** Same as `overlapping`, for a prefix already parsed with `parseCidr`. */
  overlappingInterval(range: CidrInterval): T[] {
    return range.family === 4
      ? query(this.v4, range.start, range.end)
      : query(this.v6, range.start, range.end)
  }
}
