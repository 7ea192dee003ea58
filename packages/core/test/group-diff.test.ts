import fc from 'fast-check'
import t from 'tap'
import { applyGroupOps } from '../src/group-apply.js'
import { diffGroups } from '../src/group-diff.js'
import type { EnforcementGroup } from '../src/groups.js'
import { byId, group, groupList, hour } from './fixtures/groups.js'
import { anyPrefix, holds } from './fixtures/prefix-arbitraries.js'

t.test('a hot addition to a large group travels as a patch, not as the whole group', async (t) => {
  const hosts = Array.from({ length: 20 }, (_, i) => `198.51.100.${i * 2}/32`)
  const before = [group('m1', 0, 2 * hour, hosts)]
  const after = [group('m1', 0, 2 * hour, [...hosts, '203.0.113.9/32'])]
  t.same(
    diffGroups(before, after),
    [{ op: 'patch', id: 'w:m1', from: 0, until: 2 * hour, add: ['203.0.113.9/32'], remove: [] }],
    'one patch adding the host',
  )
})

t.test('an extended window with the same prefixes is a patch that only moves until', async (t) => {
  const before = [group('m1', 0, 2 * hour, ['198.51.100.7/32'])]
  const after = [group('m1', 0, 3 * hour, ['198.51.100.7/32'])]
  t.same(
    diffGroups(before, after),
    [{ op: 'patch', id: 'w:m1', from: 0, until: 3 * hour, add: [], remove: [] }],
    'the new until, no prefix changes',
  )
})

t.test('new groups are put, groups that changed a lot are put again, gone groups are dropped', async (t) => {
  const before = [group('m1', 0, hour, ['198.51.100.7/32']), group('m2', 0, hour, ['203.0.113.1/32'])]
  const after = [group('m2', 0, hour, ['203.0.113.2/32']), group('m3', hour, 2 * hour, ['192.0.2.0/24'])]
  t.same(
    diffGroups(before, after),
    [
      { op: 'drop', id: 'w:m1' },
      { op: 'put', group: after[0] },
      { op: 'put', group: after[1] },
    ],
    'm1 dropped, m2 replaced whole, m3 added',
  )
  t.same(diffGroups(after, after), [], 'no operations when nothing changed')
})

t.test('applying diffGroups(previous, next) to previous gives next', async (t) => {
  holds(
    t,
    'applyGroupOps(previous, diffGroups(previous, next)) equals next, group by group',
    fc.property(groupList, groupList, (previous, next) => {
      const result = applyGroupOps(previous, diffGroups(previous, next))
      return JSON.stringify(byId(result)) === JSON.stringify(byId(next))
    }),
  )
  // Next states that differ a little from the previous one, so patches are exercised too.
  const nearby = groupList.chain((previous) =>
    fc.tuple(
      fc.constant(previous),
      fc.array(fc.tuple(anyPrefix, fc.boolean(), fc.integer({ min: -1, max: 1 })), {
        minLength: previous.length,
        maxLength: previous.length,
      }),
    ),
  )
  holds(
    t,
    'the round trip also holds for small changes, which travel as patches',
    fc.property(nearby, ([previous, changes]) => {
      const next = previous.map((g, i) => {
        const [prefix, add, shift] = changes[i]!
        const prefixes = add ? [...g.prefixes, prefix] : g.prefixes.filter((p) => p !== g.prefixes[0])
        return group(g.event, g.from, g.until + shift * hour, prefixes)
      })
      const ops = diffGroups(previous, next)
      const result = applyGroupOps(previous, ops)
      return JSON.stringify(byId(result)) === JSON.stringify(byId(next))
    }),
  )
})

t.test('a name hot-added to a group with a large list travels as a patch of names only', async (t) => {
  const hosts = Array.from({ length: 20 }, (_, i) => `198.51.100.${i * 2}/32`)
  const before: EnforcementGroup[] = [{ ...group('m1', 0, 2 * hour, hosts), names: ['pirate.test'] }]
  const after: EnforcementGroup[] = [
    { ...group('m1', 0, 2 * hour, hosts), names: ['live.pirate.test', 'pirate.test'] },
  ]
  const ops = diffGroups(before, after)
  t.same(
    ops,
    [
      {
        op: 'patch',
        id: 'w:m1',
        from: 0,
        until: 2 * hour,
        add: [],
        remove: [],
        addNames: ['live.pirate.test'],
      },
    ],
    'one patch adding the name',
  )
  t.same(applyGroupOps(before, ops), after, 'applying it gives the new names, sorted')
  const cleared = applyGroupOps(after, diffGroups(after, [group('m1', 0, 2 * hour, hosts)]))
  t.equal(cleared[0]?.names, undefined, 'a group whose last name is removed carries no names')
})
