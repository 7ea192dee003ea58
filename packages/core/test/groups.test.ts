import fc from 'fast-check'
import t from 'tap'
import { activeAt, activeNamesAt, applyGroupOps, diffGroups, type EnforcementGroup } from '../src/groups.js'
import { PrefixSet } from '../src/prefix-set.js'
import { anyPrefix, holds } from './fixtures/prefix-arbitraries.js'

const hour = 3_600_000

function group(id: string, from: number, until: number, prefixes: string[]): EnforcementGroup {
  return { id: `w:${id}`, event: id, from, until, prefixes: PrefixSet.from(prefixes).toPrefixes() }
}

const byId = (groups: EnforcementGroup[]) => [...groups].sort((a, b) => a.id.localeCompare(b.id))

const groupList = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
      from: fc.integer({ min: 0, max: 4 }).map((h) => h * hour),
      span: fc.integer({ min: 1, max: 3 }).map((h) => h * hour),
      prefixes: fc.array(anyPrefix, { maxLength: 8 }),
    }),
    { selector: (g) => g.id },
  )
  .map((gs) => gs.map((g) => group(g.id, g.from, g.from + g.span, g.prefixes)))

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

t.test('a patch for a group the receiver does not have is refused', async (t) => {
  t.throws(
    () => applyGroupOps([], [{ op: 'patch', id: 'w:m9', from: 0, until: 1, add: [], remove: [] }]),
    /unknown enforcement group w:m9/,
    'the receiver learns it is out of step',
  )
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

t.test('a patch gives the minimal cover of the group minus its removals plus its additions', async (t) => {
  holds(
    t,
    'applying any add/remove patch equals rebuilding the set, even when prefixes split or merge',
    fc.property(
      fc.array(anyPrefix, { maxLength: 40 }),
      fc.array(anyPrefix, { maxLength: 6 }),
      fc.array(anyPrefix, { maxLength: 6 }),
      (prefixes, remove, add) => {
        const before = group('m1', 0, hour, prefixes)
        const patch = { op: 'patch' as const, id: 'w:m1', from: 0, until: 2 * hour, add, remove }
        const [after] = applyGroupOps([before], [patch])
        const expected = PrefixSet.from(before.prefixes)
          .subtract(PrefixSet.from(remove))
          .union(PrefixSet.from(add))
          .toPrefixes()
        return JSON.stringify(after?.prefixes) === JSON.stringify(expected) && after?.until === 2 * hour
      },
    ),
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

t.test('a patch of names gives the sorted, duplicate-free (names − removeNames) ∪ addNames', async (t) => {
  const name = fc.constantFrom('a.test', 'b.test', 'c.test', 'x.example', '*.wild.test', 'zz.test')
  const patchGivesTheSet = fc.property(
    fc.uniqueArray(name),
    fc.array(name, { maxLength: 4 }),
    fc.array(name, { maxLength: 4 }),
    (names, removeNames, addNames) => {
      const group: EnforcementGroup = {
        id: 'w:m1',
        event: 'm1',
        from: 0,
        until: 1,
        prefixes: [],
        names: [...names].sort(),
      }
      const op = {
        op: 'patch' as const,
        id: 'w:m1',
        from: 0,
        until: 1,
        add: [],
        remove: [],
        removeNames,
        addNames,
      }
      const [patched] = applyGroupOps([group], [op])
      const expected = [...new Set([...names.filter((n) => !removeNames.includes(n)), ...addNames])].sort()
      return JSON.stringify(patched?.names ?? []) === JSON.stringify(expected)
    },
  )
  holds(t, 'equals the brute-force set', patchGivesTheSet)
})
