import t from 'tap'
import { enforcedCount } from '../src/enforced-count.js'
import { activeAt, type EnforcementGroup } from '../src/groups.js'

const window = (id: string, from: number, until: number, prefixes: string[]): EnforcementGroup => ({
  id,
  event: id,
  from,
  until,
  prefixes,
})

t.test('the enforced count is the length of the merged plan, whether covers repeat or not', async (t) => {
  const cover = ['198.51.100.0/25', '203.0.113.7/32', '2001:db8::1/128']
  const cases: [string, EnforcementGroup[]][] = [
    ['three windows sharing one cover', ['a', 'b', 'c'].map((id) => window(id, 0, 100, [...cover]))],
    ['two covers that overlap', [window('a', 0, 100, cover), window('b', 0, 100, ['198.51.100.128/25'])]],
    [
      'a window not yet open and one closed',
      [window('a', 50, 100, cover), window('b', 0, 5, ['203.0.113.9/32'])],
    ],
    ['no groups', []],
  ]
  for (const [name, groups] of cases) t.equal(enforcedCount(groups, 10), activeAt(groups, 10).length, name)
})

t.test('the enforced count merges overlapping live groups and ignores staged or ended ones', async (t) => {
  const a = { id: 'w:a', event: 'a', from: 0, until: 100, prefixes: ['203.0.113.0/24'] }
  const b = { id: 'w:b', event: 'b', from: 0, until: 200, prefixes: ['203.0.113.0/24'] }
  const c = { id: 'w:c', event: 'c', from: 50, until: 200, prefixes: ['198.51.100.1/32', '203.0.113.7/32'] }
  const staged = { id: 'w:d', event: 'd', from: 500, until: 600, prefixes: ['198.51.100.9/32'] }
  t.equal(enforcedCount([a, b, staged], 10), 1, 'two groups with one cover count once')
  t.equal(
    enforcedCount([a, b, c, staged], 60),
    activeAt([a, b, c], 60).length,
    'overlaps are merged as core does',
  )
  t.equal(enforcedCount([a, staged], 150), 0, 'an ended group and a staged one enforce nothing')
})
