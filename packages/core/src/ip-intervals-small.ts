/**
 * The interval algebra of ip-intervals.ts when one side is much smaller than the other: a 1-entry
 * hot addition against a 100k-prefix list. A linear merge compares every bound (tens of
 * milliseconds for 100k IPv6 intervals, whose BigInt comparisons are slow); here the large list
 * is only searched around each small interval and copied unchanged elsewhere, so the cost is a
 * copy plus k binary searches. Same results as the linear functions, for the same inputs.
 */
import { type Bound, intersectIntervals, subtractIntervals, unionIntervals } from './ip-intervals.js'

/** A side at most this share of the other's length takes the windowed path. */
const SMALL_SHARE = 1 / 32

function isSmall(small: readonly Bound[], large: readonly Bound[]): boolean {
  return small.length > 0 && small.length <= large.length * SMALL_SHARE
}

/** First even index ≥ `from` whose interval ends at or after `value` (touching counts), or the length. */
function firstEndingFrom<T extends Bound>(list: readonly T[], value: T, from: number): number {
  let lo = from / 2
  let hi = list.length / 2
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid * 2 + 1]! < value) lo = mid + 1
    else hi = mid
  }
  return lo * 2
}

/** First even index ≥ `from` whose interval starts after `value`, or the length. */
function firstStartingAfter<T extends Bound>(list: readonly T[], value: T, from: number): number {
  let lo = from / 2
  let hi = list.length / 2
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid * 2]! <= value) lo = mid + 1
    else hi = mid
  }
  return lo * 2
}

function copy<T>(out: T[], list: readonly T[], from: number, to: number): void {
  for (let i = from; i < to; i++) out.push(list[i]!)
}

/**
 * `op(large, small)` for an op that leaves `large` unchanged away from `small` (union, subtract):
 * the large intervals that touch a small one form a window with it, each window is merged
 * linearly, and everything between windows is copied. Windows never touch each other (the large
 * intervals between them are disjoint and not adjacent), so the pieces need no merge.
 */
function windowed<T extends Bound>(
  large: readonly T[],
  small: readonly T[],
  op: (a: readonly T[], b: readonly T[]) => T[],
): T[] {
  const out: T[] = []
  let copied = 0
  let j = 0
  while (j < small.length) {
    const lo = firstEndingFrom(large, small[j]!, copied)
    let hi = firstStartingAfter(large, small[j + 1]!, lo)
    let k = j + 2
    while (k < small.length && firstEndingFrom(large, small[k]!, lo) < hi) {
      hi = Math.max(hi, firstStartingAfter(large, small[k + 1]!, hi))
      k += 2
    }
    copy(out, large, copied, lo)
    for (const bound of op(large.slice(lo, hi), small.slice(j, k))) out.push(bound)
    copied = hi
    j = k
  }
  copy(out, large, copied, large.length)
  return out
}

/** The intervals of `large` that touch an interval of `small` (a normalised sub-list of `large`). */
function near<T extends Bound>(large: readonly T[], small: readonly T[]): T[] {
  const out: T[] = []
  let copied = 0
  for (let j = 0; j < small.length; j += 2) {
    const lo = Math.max(copied, firstEndingFrom(large, small[j]!, copied))
    const hi = firstStartingAfter(large, small[j + 1]!, lo)
    copy(out, large, lo, hi)
    copied = Math.max(copied, hi)
  }
  return out
}

/** Union of two normalised lists. */
export function union<T extends Bound>(a: readonly T[], b: readonly T[]): T[] {
  if (isSmall(b, a)) return windowed(a, b, unionIntervals)
  if (isSmall(a, b)) return windowed(b, a, unionIntervals)
  return unionIntervals(a, b)
}

/** `a` minus `b`, both normalised. */
export function subtract<T extends Bound>(a: readonly T[], b: readonly T[]): T[] {
  if (isSmall(b, a)) return windowed(a, b, subtractIntervals)
  if (isSmall(a, b)) return subtractIntervals(a, near(b, a))
  return subtractIntervals(a, b)
}

/** Intersection of two normalised lists. */
export function intersect<T extends Bound>(a: readonly T[], b: readonly T[]): T[] {
  if (isSmall(b, a)) return intersectIntervals(near(a, b), b)
  if (isSmall(a, b)) return intersectIntervals(a, near(b, a))
  return intersectIntervals(a, b)
}
