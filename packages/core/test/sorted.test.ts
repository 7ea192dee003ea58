import fc from 'fast-check'
import t from 'tap'
import { lowerBound } from '../src/sorted.js'
import { holds } from './fixtures/prefix-arbitraries.js'

/** The model: a linear scan for the first entry not below `value`. */
function matchesScan(
  sorted: readonly (string | number | bigint)[],
  value: string | number | bigint,
): boolean {
  const expected = sorted.findIndex((entry) => !(entry < value))
  return lowerBound(sorted, value) === (expected === -1 ? sorted.length : expected)
}

const byValue = (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0)

t.test('lowerBound finds the first entry not below the value, as a linear scan would', async (t) => {
  const number = fc.integer({ min: -25, max: 25 })
  holds(
    t,
    'over numbers',
    fc.property(fc.array(number), number, (list, value) => matchesScan(list.sort(byValue), value)),
  )
  const bigint = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n })
  holds(
    t,
    'over bigints (IPv6 bounds)',
    fc.property(fc.array(bigint), bigint, (list, value) => matchesScan(list.sort(byValue), value)),
  )
  const name = fc.constantFrom('*.b.test', 'a.test', 'b.test', 'z.example', 'zz.test')
  holds(
    t,
    'over names, in code-unit order',
    fc.property(fc.array(name), name, (list, value) => matchesScan(list.sort(), value)),
  )
  t.equal(lowerBound([], 'a.test'), 0, 'an empty list: index 0')
  t.equal(lowerBound(['a.test', 'b.test', 'b.test'], 'b.test'), 1, 'the first of equal entries')
  t.equal(lowerBound([1, 2, 3], 4), 3, 'a value above every entry: the length')
})
