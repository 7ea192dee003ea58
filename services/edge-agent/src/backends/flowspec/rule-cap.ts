import type { PlanEntry } from '@offside/core'

/**
 * Routers hold a few thousand flow routes (≈3000 on a Cisco ASR 9000), so the backend announces at
 * most `maxRules`. When more are enforced at once it may, if the operator allows it, widen entries
 * to a shorter common prefix (never shorter than `aggregate.v4` / `aggregate.v6`), starting with
 * the super-prefixes that absorb the most entries; whatever still does not fit is reported, never
 * dropped silently.
 */
export interface RuleCap {
  maxRules: number
  /** The shortest prefix length entries may be widened to; absent = no aggregation. */
  aggregate?: { v4: number; v6: number } | undefined
}

export interface CappedPlan {
  /** Prefixes to announce (at most `maxRules`). */
  announce: string[]
  /** Enforced prefixes that are not announced because the cap was reached. */
  notFitting: string[]
  /** Wider prefixes announced in place of several entries, with the entries they cover. */
  aggregated: Array<{ prefix: string; covers: string[] }>
}

function parseV6(address: string): bigint {
  const [head = '', tail] = address.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return groups.reduce((value, group) => (value << 16n) + BigInt(`0x${group}`), 0n)
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as "::". */
function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn))
  let best = { start: -1, length: 1 }
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > best.length) best = { start: i, length: j - i }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (best.start < 0) return hex.join(':')
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`
}

/** The prefix of length `length` that contains `prefix`. */
export function superPrefix(prefix: string, length: number): string {
  const [address = '', bits = '0'] = prefix.split('/')
  if (Number(bits) <= length) return prefix
  if (address.includes(':')) {
    const mask = ((1n << BigInt(length)) - 1n) << BigInt(128 - length)
    return `${formatV6(parseV6(address) & mask)}/${length}`
  }
  const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)
  const masked = length === 0 ? 0 : (value >>> (32 - length)) << (32 - length)
  const unsigned = masked >>> 0
  const octets = [24, 16, 8, 0].map((shift) => (unsigned >>> shift) & 255)
  return `${octets.join('.')}/${length}`
}

/**
 * Fits a non-overlapping plan (core's `toEnforcementPlan`) under the cap. Aggregation merges the
 * entries under one super-prefix only when that lowers the count, biggest savings first.
 */
export function capPlan(plan: PlanEntry[], cap: RuleCap): CappedPlan {
  let prefixes = plan.map((entry) => entry.prefix)
  const aggregated: CappedPlan['aggregated'] = []
  if (prefixes.length > cap.maxRules && cap.aggregate) {
    const buckets = new Map<string, string[]>()
    for (const prefix of prefixes) {
      const length = prefix.includes(':') ? cap.aggregate.v6 : cap.aggregate.v4
      const key = superPrefix(prefix, length)
      if (key === prefix) continue
      buckets.set(key, [...(buckets.get(key) ?? []), prefix])
    }
    const merged = new Set<string>()
    let count = prefixes.length
    const biggestFirst = [...buckets]
      .filter(([, members]) => members.length > 1)
      .sort((a, b) => b[1].length - a[1].length)
    for (const [key, members] of biggestFirst) {
      if (count <= cap.maxRules) break
      aggregated.push({ prefix: key, covers: members })
      for (const member of members) merged.add(member)
      count -= members.length - 1
    }
    prefixes = [...aggregated.map((a) => a.prefix), ...prefixes.filter((prefix) => !merged.has(prefix))]
  }
  return { announce: prefixes.slice(0, cap.maxRules), notFitting: prefixes.slice(cap.maxRules), aggregated }
}
