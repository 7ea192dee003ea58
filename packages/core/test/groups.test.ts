import t from 'tap'
import { activeAt, activeNamesAt, type EnforcementGroup } from '../src/groups.js'
import { group, hour } from './fixtures/groups.js'

t.test('only groups whose window contains now are enforced, each address until its latest end', async (t) => {
  const groups = [
    group('m1', 0, 2 * hour, ['203.0.113.0/24']),
    group('m2', hour, 3 * hour, ['203.0.113.7/32', '198.51.100.1/32']),
    group('m3', 4 * hour, 5 * hour, ['192.0.2.1/32']),
  ]
  t.same(activeAt(groups, 0), [{ prefix: '203.0.113.0/24', until: 2 * hour }], 'only m1 before m2 opens')
  t.same(
    activeAt(groups, hour),
    [
      { prefix: '198.51.100.1/32', until: 3 * hour },
      { prefix: '203.0.113.7/32', until: 3 * hour },
      { prefix: '203.0.113.0/30', until: 2 * hour },
      { prefix: '203.0.113.4/31', until: 2 * hour },
      { prefix: '203.0.113.6/32', until: 2 * hour },
      { prefix: '203.0.113.8/29', until: 2 * hour },
      { prefix: '203.0.113.16/28', until: 2 * hour },
      { prefix: '203.0.113.32/27', until: 2 * hour },
      { prefix: '203.0.113.64/26', until: 2 * hour },
      { prefix: '203.0.113.128/25', until: 2 * hour },
    ],
    'with both live the shared host keeps m2’s later end',
  )
  t.same(
    activeAt(groups, 2 * hour),
    [
      { prefix: '198.51.100.1/32', until: 3 * hour },
      { prefix: '203.0.113.7/32', until: 3 * hour },
    ],
    'm1 stops exactly at its until',
  )
  t.same(activeAt(groups, 3.5 * hour), [], 'nothing between windows')
})

t.test('names are blocked only while their group is active, each until its latest end', async (t) => {
  const groups: EnforcementGroup[] = [
    { ...group('m1', 0, 2 * hour, []), names: ['a.test', 'b.test'] },
    { ...group('m2', hour, 3 * hour, []), names: ['b.test'] },
    { ...group('m3', 5 * hour, 6 * hour, []), names: ['c.test'] },
  ]
  t.same(
    activeNamesAt(groups, hour + 1),
    [
      { name: 'a.test', until: 2 * hour },
      { name: 'b.test', until: 3 * hour },
    ],
    'a.test and b.test, b.test until the later window ends; c.test not yet',
  )
  t.same(activeNamesAt(groups, 3 * hour), [], 'nothing once both windows ended')
})
