/**
 * Binary search in a group's cover: a minimal cover as `PrefixSet.toPrefixes` gives it (disjoint
 * canonical prefixes, IPv4 first, then ascending by start), which is how every published group
 * holds its prefixes. A question about one prefix then parses a few dozen entries of a 300k-prefix
 * cover instead of all of them.
 */
import { type CidrInterval, parseCidr } from './ip-address.js'

/** Sort order of a cover: IPv4 before IPv6, then by start. */
function compare(entry: CidrInterval, block: CidrInterval): number {
  if (entry.family !== block.family) return entry.family - block.family
  return entry.start < block.start ? -1 : entry.start > block.start ? 1 : 0
}

/** Index of the first entry of `cover` whose start is at or after the block's start. */
export function firstAtOrAfter(cover: readonly string[], block: CidrInterval): number {
  let low = 0
  let high = cover.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (compare(parseCidr(cover[middle]!), block) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * The entries of `cover` that share an address with `prefix` (canonical CIDR), as the index range
 * `[from, to)`: CIDR blocks nest or are disjoint, so they are either one entry holding all of it
 * (the one before its start) or the run of entries starting inside it.
 */
export function coverRangeOverlapping(cover: readonly string[], prefix: string): [number, number] {
  const block = parseCidr(prefix)
  const first = firstAtOrAfter(cover, block)
  if (first > 0) {
    const before = parseCidr(cover[first - 1]!)
    // It starts before the block, so if it reaches into it, it holds it; nothing after it overlaps.
    if (before.family === block.family && before.end > block.start) return [first - 1, first]
  }
  let end = first
  while (end < cover.length) {
    const entry = parseCidr(cover[end]!)
    if (entry.family !== block.family || entry.start >= block.end) break
    end++
  }
  return [first, end]
}

/** The entries of `cover` overlapping any of `prefixes`, in the cover's order, each once. */
export function coverOverlapping(cover: readonly string[], prefixes: readonly string[]): string[] {
  const ranges = prefixes
    .map((prefix) => coverRangeOverlapping(cover, prefix))
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0])
  const found: string[] = []
  let next = 0
  for (const [from, to] of ranges) {
    for (let at = Math.max(from, next); at < to; at++) found.push(cover[at]!)
    next = Math.max(next, to)
  }
  return found
}
