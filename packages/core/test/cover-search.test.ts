import fc from 'fast-check'
import t from 'tap'
import { coverOverlapping, coverRangeOverlapping } from '../src/cover-search.js'
import { PrefixSet } from '../src/prefix-set.js'
import { anyPrefix, holds } from './fixtures/prefix-arbitraries.js'

const cover = PrefixSet.from([
  '198.51.100.0/26',
  '198.51.100.77/32',
  '198.51.100.128/25',
  '203.0.113.9/32',
  '2001:db8::/48',
  '2001:db8:5::1/128',
]).toPrefixes()

t.test('a prefix inside a cover entry finds only that entry', async (t) => {
  t.same(coverOverlapping(cover, ['198.51.100.7/32']), ['198.51.100.0/26'], 'a host of the /26')
  t.same(coverOverlapping(cover, ['198.51.100.200/30']), ['198.51.100.128/25'], 'a /30 of the /25')
  t.same(coverOverlapping(cover, ['2001:db8:0:1::/64']), ['2001:db8::/48'], 'a /64 of the /48')
})

t.test('a prefix holding several cover entries finds each of them, in the cover order', async (t) => {
  t.same(
    coverOverlapping(cover, ['198.51.100.0/24']),
    ['198.51.100.0/26', '198.51.100.77/32', '198.51.100.128/25'],
    'the /24 holds three entries',
  )
  t.same(coverOverlapping(cover, ['2001:db8::/32']), ['2001:db8::/48', '2001:db8:5::1/128'], 'IPv6 too')
})

t.test('nothing is found between entries, in the other family or outside the cover', async (t) => {
  t.same(coverOverlapping(cover, ['198.51.100.64/29']), [], 'between the /26 and the host')
  t.same(coverOverlapping(cover, ['192.0.2.1/32']), [], 'before the first entry')
  t.same(coverOverlapping(cover, ['2001:db8:6::/48']), [], 'after the last entry')
  t.same(coverOverlapping([], ['198.51.100.1/32']), [], 'an empty cover')
  t.same(coverRangeOverlapping(cover, '203.0.113.0/24'), [3, 4], 'the range of the one /32 inside it')
})

t.test('several questions give each overlapping entry once', async (t) => {
  t.same(
    coverOverlapping(cover, ['198.51.100.128/26', '198.51.100.0/24', '203.0.113.9/32']),
    ['198.51.100.0/26', '198.51.100.77/32', '198.51.100.128/25', '203.0.113.9/32'],
    'the /25 asked twice is given once',
  )
})

t.test('the search agrees with a scan of the cover for any cover and questions', async (t) => {
  holds(
    t,
    'binary search finds exactly the cover entries sharing an address with a question',
    fc.property(
      fc.array(anyPrefix, { maxLength: 40 }),
      fc.array(anyPrefix, { maxLength: 4 }),
      (listed, asked) => {
        const sorted = PrefixSet.from(listed).toPrefixes()
        const askedSet = PrefixSet.from(asked)
        const expected = sorted.filter((prefix) => askedSet.overlaps(prefix))
        return coverOverlapping(sorted, asked).join() === expected.join()
      },
    ),
  )
})
