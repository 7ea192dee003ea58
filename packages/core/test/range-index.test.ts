import fc from 'fast-check'
import t from 'tap'
import { PrefixSet } from '../src/prefix-set.js'
import { RangeIndex } from '../src/range-index.js'
import { anyPrefix, holds } from './fixtures/prefix-arbitraries.js'

t.test('a query finds the ranges containing the prefix and the ranges inside it', async (t) => {
  const index = new RangeIndex([
    { prefix: '198.51.100.0/24', value: 'whole' },
    { prefix: '198.51.100.0/26', value: 'first quarter' },
    { prefix: '198.51.100.64/26', value: 'second quarter' },
    { prefix: '198.51.100.7/32', value: 'host' },
    { prefix: '203.0.113.0/24', value: 'other net' },
    { prefix: '2001:db8::/32', value: 'v6' },
  ])
  t.same(
    index.overlapping('198.51.100.7/32'),
    ['whole', 'first quarter', 'host'],
    'ancestors of a host, widest first',
  )
  t.same(
    index.overlapping('198.51.100.0/25'),
    ['whole', 'first quarter', 'host', 'second quarter'],
    'ranges inside a /25',
  )
  t.same(index.overlapping('198.51.100.128/25'), ['whole'], 'only the /24 covers the upper half')
  t.same(index.overlapping('192.0.2.0/24'), [], 'nothing overlaps an unrelated net')
  t.same(index.overlapping('2001:db8:1::/48'), ['v6'], 'IPv6 ranges are indexed too')
  t.same(
    index.overlapping('198.51.0.0/16'),
    ['whole', 'first quarter', 'host', 'second quarter'],
    'a wider query',
  )
})

t.test('the same prefix listed twice is reported twice, once per value', async (t) => {
  const index = new RangeIndex([
    { prefix: '203.0.113.0/24', value: 'list A' },
    { prefix: '203.0.113.0/24', value: 'list B' },
  ])
  t.same(index.overlapping('203.0.113.9/32').sort(), ['list A', 'list B'], 'both sources are named')
})

t.test('overlapping agrees with a brute-force scan for any ranges and query', async (t) => {
  holds(
    t,
    'the index returns exactly the ranges that share an address with the query',
    fc.property(fc.array(anyPrefix, { maxLength: 40 }), anyPrefix, (prefixes, query) => {
      const index = new RangeIndex(prefixes.map((prefix, i) => ({ prefix, value: i })))
      const expected = prefixes
        .map((prefix, i) => ({ prefix, i }))
        .filter(({ prefix }) => PrefixSet.from([prefix]).overlaps(query))
        .map(({ i }) => i)
      const found = index.overlapping(query)
      return found.length === expected.length && [...found].sort((a, b) => a - b).join() === expected.join()
    }),
  )
})
