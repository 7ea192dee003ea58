import fc from 'fast-check'
import t from 'tap'
import { apply, diff, PrefixSet } from '../src/prefix-set.js'
import {
  holds,
  prefixList,
  v4DocumentationNets,
  v4Prefix,
  v4PrefixList,
  v6Prefix,
} from './fixtures/prefix-arbitraries.js'

const set = prefixList.map((prefixes) => PrefixSet.from(prefixes))

/** Brute-force model of an IPv4 set inside the documentation /24s: the addresses themselves. */
function addressesOf(prefixes: string[]): Set<number> {
  const out = new Set<number>()
  for (const prefix of prefixes) {
    if (prefix.includes(':')) continue
    const [text, length] = prefix.split('/') as [string, string]
    const start = text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)
    for (let a = start; a < start + 2 ** (32 - Number(length)); a++) out.add(a)
  }
  return out
}

/** Fewest CIDR blocks covering exactly `addresses` inside the block [start, start + size). */
function minimalCoverCount(addresses: Set<number>, start: number, size: number): number {
  let present = 0
  for (let a = start; a < start + size; a++) if (addresses.has(a)) present++
  if (present === 0) return 0
  if (present === size) return 1
  return (
    minimalCoverCount(addresses, start, size / 2) + minimalCoverCount(addresses, start + size / 2, size / 2)
  )
}

const sameAddresses = (a: Set<number>, b: Set<number>) => a.size === b.size && [...a].every((x) => b.has(x))

t.test('overlapping and touching prefixes merge into their minimal cover', async (t) => {
  const merged = PrefixSet.from([
    '198.51.100.0/25',
    '198.51.100.128/25',
    '198.51.100.7/32',
    '2001:db8::/33',
    '2001:db8:8000::/33',
  ])
  t.same(
    merged.toPrefixes(),
    ['198.51.100.0/24', '2001:db8::/32'],
    'two halves become their parent, the /32 inside disappears',
  )
  t.equal(merged.addressCount(4), 256n, '256 IPv4 addresses')
  t.equal(merged.addressCount(6), 1n << 96n, 'a whole /32 of IPv6 addresses')
  t.equal(merged.blockCount(6, 48), 65536n, 'a /32 spans 65536 /48s')
})

t.test('subtracting a host from a /24 leaves the fewest prefixes covering the rest', async (t) => {
  const rest = PrefixSet.from(['203.0.113.0/24']).subtract(PrefixSet.from(['203.0.113.7/32']))
  t.same(
    rest.toPrefixes(),
    [
      '203.0.113.0/30',
      '203.0.113.4/31',
      '203.0.113.6/32',
      '203.0.113.8/29',
      '203.0.113.16/28',
      '203.0.113.32/27',
      '203.0.113.64/26',
      '203.0.113.128/25',
    ],
    'eight prefixes, ascending',
  )
  t.ok(rest.contains('203.0.113.8/29'), 'the rest still contains 203.0.113.8/29')
  t.notOk(rest.contains('203.0.113.0/29'), 'but no longer the /29 holding the removed host')
  t.notOk(rest.overlaps('203.0.113.7/32'), 'and does not overlap the removed host')
  t.ok(rest.overlaps('203.0.113.0/29'), 'while it overlaps the /29 around it')
})

t.test('the whole address space of both families is a set like any other', async (t) => {
  const everything = PrefixSet.from(['0.0.0.0/0', '::/0'])
  t.same(everything.toPrefixes(), ['0.0.0.0/0', '::/0'], 'printed as the two /0s')
  t.equal(everything.addressCount(), (1n << 32n) + (1n << 128n), 'counts 2^32 + 2^128 addresses')
  t.ok(everything.contains('203.0.113.0/24') && everything.contains('2001:db8::1/128'), 'contains anything')
})

t.test('a prefix that is not canonical CIDR is refused, naming the text', async (t) => {
  for (const bad of [
    '203.0.113.7',
    '203.0.113.7/24',
    '010.0.0.0/8',
    '2001:db8::1/32',
    '2001:db8::/129',
    'x/1',
  ]) {
    t.throws(
      () => PrefixSet.from([bad]),
      { message: new RegExp(bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) },
      `${bad} is refused`,
    )
  }
})

t.test('IPv4 operations agree with a brute-force model of the addresses', async (t) => {
  holds(
    t,
    'union, intersect, subtract, contains, overlaps and addressCount match sets of addresses',
    fc.property(v4PrefixList, v4PrefixList, v4Prefix, (xs, ys, probe) => {
      const a = PrefixSet.from(xs)
      const b = PrefixSet.from(ys)
      const ma = addressesOf(xs)
      const mb = addressesOf(ys)
      const probeAddresses = [...addressesOf([probe])]
      return (
        sameAddresses(addressesOf(a.union(b).toPrefixes()), new Set([...ma, ...mb])) &&
        sameAddresses(addressesOf(a.intersect(b).toPrefixes()), new Set([...ma].filter((x) => mb.has(x)))) &&
        sameAddresses(addressesOf(a.subtract(b).toPrefixes()), new Set([...ma].filter((x) => !mb.has(x)))) &&
        a.contains(probe) === probeAddresses.every((x) => ma.has(x)) &&
        a.overlaps(probe) === probeAddresses.some((x) => ma.has(x)) &&
        a.addressCount() === BigInt(ma.size)
      )
    }),
  )
})

t.test(
  'toPrefixes is the minimal cover: no overlap, nothing mergeable, as few prefixes as possible',
  async (t) => {
    holds(
      t,
      'the cover has exactly as many prefixes as the optimal CIDR decomposition',
      fc.property(v4PrefixList, (xs) => {
        const cover = PrefixSet.from(xs).toPrefixes()
        const addresses = addressesOf(xs)
        const optimal = v4DocumentationNets.reduce((n, net) => n + minimalCoverCount(addresses, net, 256), 0)
        return cover.length === optimal && addressesOf(cover).size === addresses.size
      }),
    )
    holds(
      t,
      'no two prefixes of a cover overlap and rebuilding from the cover gives the same set (both families)',
      fc.property(prefixList, (xs) => {
        const a = PrefixSet.from(xs)
        const cover = a.toPrefixes()
        const pairwiseDisjoint = cover.every((p, i) =>
          cover.every((q, j) => i === j || !PrefixSet.from([p]).overlaps(q)),
        )
        return (
          pairwiseDisjoint &&
          PrefixSet.from(cover).equals(a) &&
          PrefixSet.from(cover).toPrefixes().join() === cover.join()
        )
      }),
    )
  },
)

t.test('set algebra laws hold for both families', async (t) => {
  holds(
    t,
    'union and intersect are commutative and associative, and distribute',
    fc.property(
      set,
      set,
      set,
      (a, b, c) =>
        a.union(b).equals(b.union(a)) &&
        a.intersect(b).equals(b.intersect(a)) &&
        a
          .union(b)
          .union(c)
          .equals(a.union(b.union(c))) &&
        a
          .intersect(b)
          .intersect(c)
          .equals(a.intersect(b.intersect(c))) &&
        a.intersect(b.union(c)).equals(a.intersect(b).union(a.intersect(c))),
    ),
  )
  holds(
    t,
    'a minus b and a with b partition a; a minus b never overlaps b',
    fc.property(set, set, (a, b) => {
      const rest = a.subtract(b)
      return (
        rest.union(a.intersect(b)).equals(a) &&
        rest.intersect(b).isEmpty() &&
        !rest.overlaps(b) &&
        a.subtract(a).isEmpty() &&
        a.union(PrefixSet.empty()).equals(a)
      )
    }),
  )
  holds(
    t,
    'address counts are additive: |a ∪ b| + |a ∩ b| = |a| + |b|, per family',
    fc.property(set, set, (a, b) =>
      ([4, 6] as const).every(
        (f) =>
          a.union(b).addressCount(f) + a.intersect(b).addressCount(f) ===
          a.addressCount(f) + b.addressCount(f),
      ),
    ),
  )
  holds(
    t,
    'a set contains each of its own prefixes and overlaps the sets it shares addresses with',
    fc.property(
      set,
      v6Prefix,
      (a, p) =>
        a.toPrefixes().every((q) => a.contains(q)) &&
        a.overlaps(p) === !a.intersect(PrefixSet.from([p])).isEmpty() &&
        a.contains(p) === PrefixSet.from([p]).subtract(a).isEmpty(),
    ),
  )
})

t.test(
  'applying diff(a, b) to a gives exactly b, with additions outside a and removals inside a',
  async (t) => {
    holds(
      t,
      'apply(a, diff(a, b)) equals b for both families',
      fc.property(set, set, (a, b) => {
        const d = diff(a, b)
        return (
          apply(a, d).equals(b) &&
          !a.overlaps(PrefixSet.from(d.add)) &&
          PrefixSet.from(d.remove).subtract(a).isEmpty() &&
          (a.equals(b) ? d.add.length + d.remove.length === 0 : true)
        )
      }),
    )
  },
)
