/**
 * How one group's prefixes are held in nftables: one hash set per address family and prefix
 * length, holding network addresses, looked up with the destination masked to that length
 * (`ip daddr & 255.255.255.0 @g_…_4_24`). Hosts are simply length 32 (128) with no mask.
 *
 * Why not interval sets: the `nft` tool re-reads every element of a plain interval set on each
 * change (≈3 s for a 1k addition next to 100k intervals, measured with nftables 1.0.6), and the
 * kernel's concatenated-range set ("pipapo") rebuilds its lookup tables on every transaction
 * (≈3.5 s to stage 100k IPv6 /64s, ≈280 s for 1M). A hash set costs only the elements a change
 * names (100k /64s staged in ≈0.45 s), never rejects overlapping prefixes (so nothing has to be
 * checked or merged first), and a lookup per distinct length is a few hash probes per packet:
 * lists hold hosts and a handful of lengths (/24, /48, /64), bounded by the guard's hard limits.
 */

/** The set a canonical CIDR prefix goes in: `4_24`, `6_64`, `4_32` (hosts)… */
export type SetKey = `${4 | 6}_${number}`

/** Family and length of a set key. */
export function parseSetKey(key: SetKey): { family: 4 | 6; length: number } {
  return { family: key[0] === '6' ? 6 : 4, length: Number(key.slice(2)) }
}

/** The set a canonical CIDR prefix ("203.0.113.0/24", "2001:db8::/48") is stored in. */
export function setKeyOf(prefix: string): SetKey {
  const slash = prefix.indexOf('/')
  return `${prefix.includes(':') ? 6 : 4}_${Number(prefix.slice(slash + 1))}`
}

/** The element a canonical prefix is stored as in its set: its network address. */
export function elementOf(prefix: string): string {
  return prefix.slice(0, prefix.indexOf('/'))
}

/** Groups prefixes by the set they go in. */
export function splitPrefixes(prefixes: Iterable<string>): Map<SetKey, string[]> {
  const sets = new Map<SetKey, string[]>()
  for (const prefix of prefixes) {
    const key = setKeyOf(prefix)
    const list = sets.get(key)
    if (list) list.push(prefix)
    else sets.set(key, [prefix])
  }
  return sets
}

/** The netmask of a prefix length as nft writes it: `255.255.255.0`, `ffff:ffff:ffff:ffff::`. */
export function netmask(family: 4 | 6, length: number): string {
  if (family === 4) {
    const octets = [0, 1, 2, 3].map((i) => {
      const bits = Math.max(0, Math.min(8, length - 8 * i))
      return (0xff00 >> bits) & 0xff
    })
    return octets.join('.')
  }
  const groups: string[] = []
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, length - 16 * i))
    if (bits === 0) break
    groups.push(((0xffff0000 >>> bits) & 0xffff).toString(16))
  }
  return groups.length === 8 ? groups.join(':') : `${groups.join(':')}::`
}
