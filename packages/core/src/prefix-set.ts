/**
 * An immutable set of IP addresses of both families, kept as sorted, merged, disjoint intervals
 * (IPv4 as numbers, IPv6 as BigInt) and shown as its minimal CIDR cover. Every operation is a
 * linear merge or a binary search, so a million-prefix list diffs in well under a second; a small
 * set against a large one is searched, not merged (ip-intervals-small.ts).
 */
import { type Family, parseCidr, parseV4CidrKey } from './ip-address.js'
import {
  containsInterval,
  coverV4,
  coverV6,
  equalIntervals,
  mergeV4Keys,
  mergeV6,
  overlapsInterval,
} from './ip-intervals.js'
import { intersect, subtract, union } from './ip-intervals-small.js'

export class PrefixSet {
  private static readonly EMPTY = new PrefixSet([], [])

  private constructor(
    private readonly v4: readonly number[],
    private readonly v6: readonly bigint[],
  ) {}

  /** The set with no addresses. */
  static empty(): PrefixSet {
    return PrefixSet.EMPTY
  }

  /**
   * Builds a set from canonical CIDR strings ("203.0.113.0/24", "2001:db8::/32"); overlapping and
   * adjacent prefixes merge. Throws on anything that is not a canonical CIDR — user input goes
   * through `parseTarget` first.
   */
  static from(prefixes: Iterable<string>): PrefixSet {
    let keys = new Float64Array(1024)
    let count = 0
    const starts: bigint[] = []
    const ends: bigint[] = []
    for (const prefix of prefixes) {
      const key = parseV4CidrKey(prefix)
      if (key >= 0) {
        if (count === keys.length) {
          const grown = new Float64Array(keys.length * 2)
          grown.set(keys)
          keys = grown
        }
        keys[count++] = key
        continue
      }
      const interval = parseCidr(prefix) // throws with the offending text
      if (interval.family === 4) throw new Error(`not a canonical CIDR: ${prefix}`)
      starts.push(interval.start)
      ends.push(interval.end)
    }
    if (count === 0 && starts.length === 0) return PrefixSet.EMPTY
    return new PrefixSet(mergeV4Keys(keys.subarray(0, count)), mergeV6(starts, ends))
  }

  union(other: PrefixSet): PrefixSet {
    return new PrefixSet(union(this.v4, other.v4), union(this.v6, other.v6))
  }

  intersect(other: PrefixSet): PrefixSet {
    return new PrefixSet(intersect(this.v4, other.v4), intersect(this.v6, other.v6))
  }

  subtract(other: PrefixSet): PrefixSet {
    return new PrefixSet(subtract(this.v4, other.v4), subtract(this.v6, other.v6))
  }

  /** True when every address of `prefix` (canonical CIDR) is in the set. */
  contains(prefix: string): boolean {
    const p = parseCidr(prefix)
    return p.family === 4
      ? containsInterval(this.v4, p.start, p.end)
      : containsInterval(this.v6, p.start, p.end)
  }

  /** True when the set shares at least one address with `prefix` (canonical CIDR) or another set. */
  overlaps(prefix: string | PrefixSet): boolean {
    if (prefix instanceof PrefixSet) return !this.intersect(prefix).isEmpty()
    const p = parseCidr(prefix)
    return p.family === 4
      ? overlapsInterval(this.v4, p.start, p.end)
      : overlapsInterval(this.v6, p.start, p.end)
  }

  /** Minimal CIDR cover: no two prefixes overlap or could be merged; IPv4 first, ascending. */
  toPrefixes(): string[] {
    const out: string[] = []
    coverV4(this.v4, out)
    coverV6(this.v6, out)
    return out
  }

  /** Number of addresses, of one family or both. */
  addressCount(family?: Family): bigint {
    let total = 0n
    if (family !== 6) {
      let v4 = 0
      for (let i = 0; i < this.v4.length; i += 2) v4 += this.v4[i + 1]! - this.v4[i]!
      total += BigInt(v4)
    }
    if (family !== 4) for (let i = 0; i < this.v6.length; i += 2) total += this.v6[i + 1]! - this.v6[i]!
    return total
  }

  /**
   * Number of distinct /`length` blocks of `family` that hold at least one address of the set, e.g.
   * `blockCount(6, 48)` — IPv6 sizes are compared in /48s because address counts are astronomic.
   */
  blockCount(family: Family, length: number): bigint {
    const list: readonly Bound[] = family === 4 ? this.v4.map(BigInt) : this.v6
    const shift = BigInt((family === 4 ? 32 : 128) - length)
    let total = 0n
    let lastBlock = -1n
    for (let i = 0; i < list.length; i += 2) {
      const first = BigInt(list[i]!) >> shift
      const last = (BigInt(list[i + 1]!) - 1n) >> shift
      total += last - first + 1n
      if (first === lastBlock) total -= 1n
      lastBlock = last
    }
    return total
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0
  }

  equals(other: PrefixSet): boolean {
    return equalIntervals(this.v4, other.v4) && equalIntervals(this.v6, other.v6)
  }
}

type Bound = number | bigint

/** What turns `a` into `b`: prefixes to add (in `b`, not in `a`) and to remove (in `a`, not in `b`). */
export interface PrefixDiff {
  add: string[]
  remove: string[]
}

/** Minimal delta from `a` to `b`; `apply(a, diff(a, b))` equals `b`. */
export function diff(a: PrefixSet, b: PrefixSet): PrefixDiff {
  return { add: b.subtract(a).toPrefixes(), remove: a.subtract(b).toPrefixes() }
}

/** Applies a delta: removes first, then adds, so a prefix in both ends up in the set. */
export function apply(a: PrefixSet, d: PrefixDiff): PrefixSet {
  return a.subtract(PrefixSet.from(d.remove)).union(PrefixSet.from(d.add))
}
