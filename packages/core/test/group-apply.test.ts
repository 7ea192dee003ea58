import fc from 'fast-check'
import t from 'tap'
import { applyGroupOps } from '../src/group-apply.js'
import type { EnforcementGroup } from '../src/groups.js'
import { PrefixSet } from '../src/prefix-set.js'
import { group, hour } from './fixtures/groups.js'
import { anyPrefix, holds } from './fixtures/prefix-arbitraries.js'

t.test('a patch for a group the receiver does not have is refused', async (t) => {
  t.throws(
    () => applyGroupOps([], [{ op: 'patch', id: 'w:m9', from: 0, until: 1, add: [], remove: [] }]),
    /unknown enforcement group w:m9/,
    'the receiver learns it is out of step',
  )
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
