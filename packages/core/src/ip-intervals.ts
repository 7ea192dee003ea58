/**
 * Algebra on normalised interval lists: flat arrays `[s0, e0, s1, e1, …]` of half-open
 * intervals, sorted, disjoint and never adjacent (touching intervals are merged). One code path
 * serves IPv4 (numbers) and IPv6 (BigInt) because it only compares bounds, never adds them.
 */
import { formatV4Cidr, formatV6Cidr, V4_SPACE, V6_SPACE, v4BlockSize } from './ip-address.js'

export type Bound = number | bigint

/** Union of two normalised lists. */
export function unionIntervals<T extends Bound>(a: readonly T[], b: readonly T[]): T[] {
  if (a.length === 0) return b.slice()
  if (b.length === 0) return a.slice()
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let s: T
    let e: T
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      s = a[i]!
      e = a[i + 1]!
      i += 2
    } else {
      s = b[j]!
      e = b[j + 1]!
      j += 2
    }
    const n = out.length
    if (n > 0 && s <= out[n - 1]!) {
      if (e > out[n - 1]!) out[n - 1] = e
    } else {
      out.push(s, e)
    }
  }
  return out
}

/** Intersection of two normalised lists. */
export function intersectIntervals<T extends Bound>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    // Math.max/min would throw on BigInt bounds.
    // biome-ignore lint/complexity/useMathMinMax: bounds may be BigInt
    const s = a[i]! > b[j]! ? a[i]! : b[j]!
    // biome-ignore lint/complexity/useMathMinMax: bounds may be BigInt
    const e = a[i + 1]! < b[j + 1]! ? a[i + 1]! : b[j + 1]!
    if (s < e) out.push(s, e)
    if (a[i + 1]! < b[j + 1]!) i += 2
    else j += 2
  }
  return out
}

/** `a` minus `b`, both normalised. */
export function subtractIntervals<T extends Bound>(a: readonly T[], b: readonly T[]): T[] {
  if (b.length === 0 || a.length === 0) return a.slice()
  const out: T[] = []
  let j = 0
  for (let i = 0; i < a.length; i += 2) {
    let cur = a[i]!
    const e = a[i + 1]!
    while (j < b.length && b[j + 1]! <= cur) j += 2
    let k = j
    while (k < b.length && b[k]! < e) {
      if (b[k]! > cur) out.push(cur, b[k]!)
      if (b[k + 1]! > cur) cur = b[k + 1]!
      if (cur >= e) break
      k += 2
    }
    if (cur < e) out.push(cur, e)
    j = k
  }
  return out
}

/** Index of the last interval whose start is ≤ `value` (as an index into the flat list), or -2. */
export function lastStartAtOrBefore<T extends Bound>(list: readonly T[], value: T): number {
  let lo = 0
  let hi = list.length / 2 - 1
  let found = -2
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (list[mid * 2]! <= value) {
      found = mid * 2
      lo = mid + 1
    } else {
      hi = mid - 1
    }
  }
  return found
}

/** True when [s, e) lies wholly inside the list. */
export function containsInterval<T extends Bound>(list: readonly T[], s: T, e: T): boolean {
  const k = lastStartAtOrBefore(list, s)
  return k >= 0 && list[k + 1]! >= e
}

/** True when [s, e) shares at least one address with the list. */
export function overlapsInterval<T extends Bound>(list: readonly T[], s: T, e: T): boolean {
  // The last interval starting before e is the only candidate: earlier ones end before it starts.
  let lo = 0
  let hi = list.length / 2 - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (list[mid * 2]! < e) {
      found = mid * 2
      lo = mid + 1
    } else {
      hi = mid - 1
    }
  }
  return found >= 0 && list[found + 1]! > s
}

/** True when the two normalised lists are identical. */
export function equalIntervals<T extends Bound>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Merges IPv4 prefixes packed as `start * 64 + length` (see parseV4CidrKey) into a normalised
 * list. Sorting a Float64Array of packed keys avoids an object per prefix.
 */
export function mergeV4Keys(keys: Float64Array): number[] {
  keys.sort()
  const out: number[] = []
  let last = -1
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const length = key % 64
    const s = (key - length) / 64
    const e = s + v4BlockSize(length)
    if (last >= 0 && s <= out[last]!) {
      if (e > out[last]!) out[last] = e
    } else {
      out.push(s, e)
      last = out.length - 1
    }
  }
  return out
}

/**
 * Merges unsorted IPv6 intervals given as parallel start/end lists into a normalised list. The
 * order is sorted on each start's top 64 bits as a double (monotone, so only equal keys need the
 * BigInt comparison): comparing BigInts in the sort cost more than parsing 100k addresses.
 */
export function mergeV6(starts: bigint[], ends: bigint[]): bigint[] {
  const n = starts.length
  let sorted = true
  for (let i = 1; i < n && sorted; i++) if (starts[i - 1]! > starts[i]!) sorted = false
  let order: Uint32Array | undefined
  if (!sorted) {
    const keys = new Float64Array(n)
    for (let i = 0; i < n; i++) keys[i] = Number(starts[i]! >> 64n)
    order = new Uint32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    order.sort((x, y) => {
      const byKey = keys[x]! - keys[y]!
      if (byKey !== 0) return byKey
      const sx = starts[x]!
      const sy = starts[y]!
      return sx < sy ? -1 : sx > sy ? 1 : 0
    })
  }
  const out: bigint[] = []
  for (let k = 0; k < n; k++) {
    const i = order ? order[k]! : k
    const s = starts[i]!
    const e = ends[i]!
    const last = out.length - 1
    if (last > 0 && s <= out[last]!) {
      if (e > out[last]!) out[last] = e
    } else {
      out.push(s, e)
    }
  }
  return out
}

/** Minimal CIDR cover of a normalised IPv4 list, ascending, appended to `out`. */
export function coverV4(list: readonly number[], out: string[]): void {
  for (let i = 0; i < list.length; i += 2) {
    let s = list[i]!
    const e = list[i + 1]!
    while (s < e) {
      // Largest block aligned at s: its lowest set bit (the whole space when s is 0).
      let size = s === 0 ? V4_SPACE : (s & -s) >>> 0
      while (size > e - s) size /= 2
      out.push(formatV4Cidr(s, size === V4_SPACE ? 0 : 32 - (31 - Math.clz32(size))))
      s += size
    }
  }
}

/** The number of trailing zero bits of a non-zero 128-bit value. */
function trailingZeros(value: bigint): number {
  let zeros = 0
  let rest = value
  while ((rest & 0xffffffffn) === 0n) {
    rest >>= 32n
    zeros += 32
  }
  const low = Number(rest & 0xffffffffn)
  return zeros + 31 - Math.clz32(low & -low)
}

/** Minimal CIDR cover of a normalised IPv6 list, ascending, appended to `out`. */
export function coverV6(list: readonly bigint[], out: string[]): void {
  for (let i = 0; i < list.length; i += 2) {
    let s = list[i]!
    const e = list[i + 1]!
    while (s < e) {
      // A lone host, the common case of a list of servers: no block size to search for.
      if (e - s === 1n) {
        out.push(formatV6Cidr(s, 128))
        break
      }
      let size = s === 0n ? V6_SPACE : s & -s
      let length = s === 0n ? 0 : 128 - trailingZeros(s)
      while (size > e - s) {
        size >>= 1n
        length++
      }
      out.push(formatV6Cidr(s, length))
      s += size
    }
  }
}
