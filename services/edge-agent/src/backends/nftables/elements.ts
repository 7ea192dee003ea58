import { PrefixSet } from '@offside/core'

/**
 * How one group's prefixes are held in nftables. Single addresses go to hash sets (adding to a
 * hash set costs only the elements added); real prefixes go to interval sets. Interval sets are
 * declared as a concatenation `address . nf_proto` so the kernel picks its "pipapo" set type:
 * the `nft` CLI reads back every element of a plain interval set on each change (≈1 s at 100k
 * elements, measured with nftables 1.0.6) to merge intervals in user space, but it never does
 * that for concatenated ranges, so hot additions and staging stay cheap.
 */
export interface GroupElements {
  hosts4: string[]
  hosts6: string[]
  nets4: string[]
  nets6: string[]
}

/** Which of a group's four sets a prefix belongs in. */
export type SetKind = keyof GroupElements

/** The set a canonical CIDR prefix ("203.0.113.7/32", "2001:db8::/48") is stored in. */
export function setKindOf(prefix: string): SetKind {
  const v6 = prefix.includes(':')
  const length = Number(prefix.slice(prefix.indexOf('/') + 1))
  if (v6) return length === 128 ? 'hosts6' : 'nets6'
  return length === 32 ? 'hosts4' : 'nets4'
}

/** Splits prefixes by the set they go in. */
export function splitPrefixes(prefixes: Iterable<string>): GroupElements {
  const elements: GroupElements = { hosts4: [], hosts6: [], nets4: [], nets6: [] }
  for (const prefix of prefixes) elements[setKindOf(prefix)].push(prefix)
  return elements
}

function addressCount(prefix: string): bigint {
  const length = BigInt(prefix.slice(prefix.indexOf('/') + 1))
  return 1n << ((prefix.includes(':') ? 128n : 32n) - length)
}

/**
 * True when no two of `nets` share an address. Interval sets must never receive overlapping
 * intervals (the kernel rejects the whole transaction); the control plane sends a minimal cover,
 * and this checks it rather than trusting it.
 */
export function disjoint(nets: string[]): boolean {
  if (nets.length < 2) return true
  let sum = 0n
  for (const net of nets) sum += addressCount(net)
  return PrefixSet.from(nets).addressCount() === sum
}

/** `nets` itself when disjoint, else the minimal cover of the same addresses (never overlapping). */
export function withoutOverlaps(nets: string[]): { nets: string[]; covered: boolean } {
  if (disjoint(nets)) return { nets, covered: false }
  return { nets: PrefixSet.from(nets).toPrefixes(), covered: true }
}

/** The nft element expression for a prefix in the set `kind`. */
export function elementOf(prefix: string, kind: SetKind): string {
  switch (kind) {
    case 'hosts4':
    case 'hosts6':
      return prefix.slice(0, prefix.indexOf('/'))
    case 'nets4':
      return `${prefix} . ipv4`
    case 'nets6':
      return `${prefix} . ipv6`
  }
}
