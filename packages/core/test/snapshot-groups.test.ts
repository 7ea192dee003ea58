import fc from 'fast-check'
import t from 'tap'
import { UnknownGroupError } from '../src/group-apply.js'
import type { EnforcementGroup } from '../src/groups.js'
import { fromSnapshotGroups, isSharedGroup, toSnapshotGroups } from '../src/snapshot-groups.js'
import { hour, sharedCovers } from './fixtures/groups.js'
import { holds } from './fixtures/prefix-arbitraries.js'

const cover = Array.from({ length: 50 }, (_, i) => `198.51.100.${i * 4}/30`)
const window = (id: string, from: number, prefixes: string[]): EnforcementGroup => ({
  id: `w:${id}`,
  event: id,
  from,
  until: from + 2 * hour,
  prefixes,
})

t.test('a snapshot of three windows over one cover carries the cover once', async (t) => {
  const groups = [window('m1', 0, cover), window('m2', hour, [...cover]), window('m3', 2 * hour, cover)]
  const carried = toSnapshotGroups(groups)
  t.same(
    carried,
    [
      groups[0],
      { id: 'w:m2', event: 'm2', from: hour, until: 3 * hour, source: 'w:m1' },
      { id: 'w:m3', event: 'm3', from: 2 * hour, until: 4 * hour, source: 'w:m1' },
    ],
    'the later windows name the first',
  )
  const expanded = fromSnapshotGroups(carried)
  t.same(expanded, groups, 'the receiver gets the three windows back')
  t.ok(
    expanded.every((group) => group.prefixes === expanded[0]?.prefixes),
    'holding one prefix array between them',
  )
})

t.test('a shared group whose source is not earlier in the snapshot cannot be expanded', async (t) => {
  t.throws(
    () =>
      fromSnapshotGroups([
        { id: 'w:m2', event: 'm2', from: 0, until: 1, source: 'w:m1' },
        window('m1', 0, cover),
      ]),
    UnknownGroupError,
    'refused, naming the source',
  )
})

t.test('expanding the groups a snapshot carries gives the groups back', async (t) => {
  holds(
    t,
    'fromSnapshotGroups(toSnapshotGroups(groups)) equals groups, and no two carried groups hold the same entries',
    fc.property(sharedCovers, (groups) => {
      const carried = toSnapshotGroups(groups)
      const whole = carried.filter((group): group is EnforcementGroup => !isSharedGroup(group))
      const key = (group: EnforcementGroup) => JSON.stringify([group.prefixes, group.names ?? []])
      const distinct = whole.filter((group) => group.prefixes.length > 0 && group.names?.length !== 0)
      return (
        JSON.stringify(fromSnapshotGroups(carried)) === JSON.stringify(groups) &&
        new Set(distinct.map(key)).size === distinct.length
      )
    }),
  )
})
