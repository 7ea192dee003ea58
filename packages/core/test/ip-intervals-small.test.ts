import fc from 'fast-check'
import t from 'tap'
import { type Bound, intersectIntervals, subtractIntervals, unionIntervals } from '../src/ip-intervals.js'
import { intersect, subtract, union } from '../src/ip-intervals-small.js'

/** A normalised list (sorted, disjoint, not adjacent) of half-open intervals drawn from [0, 4096). */
function normalised(maxIntervals: number) {
  return fc.uniqueArray(fc.integer({ min: 0, max: 4096 }), { maxLength: maxIntervals * 2 }).map((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b)
    return sorted.length % 2 === 0 ? sorted : sorted.slice(0, -1)
  })
}

const large = normalised(400)
const small = normalised(6)
const asBig = (list: number[]) => list.map(BigInt)

const laws: [string, (a: readonly Bound[], b: readonly Bound[]) => Bound[], typeof unionIntervals][] = [
  ['union', union, unionIntervals],
  ['subtract', subtract, subtractIntervals],
  ['intersect', intersect, intersectIntervals],
]

for (const [name, searched, merged] of laws) {
  t.test(`${name} of a small list and a large one equals the linear merge, either way round`, async (t) => {
    fc.assert(
      fc.property(large, small, (a, b) => {
        t.same(searched(a, b), merged(a, b), 'large, small')
        t.same(searched(b, a), merged(b, a), 'small, large')
        t.same(searched(asBig(a), asBig(b)), merged(asBig(a), asBig(b)), 'as BigInt (IPv6)')
      }),
      { numRuns: 300 },
    )
  })
}

t.test('a small addition that bridges two large intervals merges them into one', async (t) => {
  const a = Array.from({ length: 200 }, (_, i) => [i * 10, i * 10 + 5]).flat()
  t.same(union(a, [5, 10]).slice(0, 4), [0, 15, 20, 25], 'the gap between [0,5) and [10,15) is filled')
  t.equal(union(a, [5, 10]).length, a.length - 2, 'one interval fewer')
})
