import t from 'tap'
import { changedPrefixes, diffGroupsQuickly, rememberingPatches } from '../src/cover-diff.js'
import { applyGroupOps } from '../src/group-apply.js'
import { diffGroups } from '../src/group-diff.js'
import type { EnforcementGroup } from '../src/groups.js'
import { PrefixSet } from '../src/prefix-set.js'

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** A group over a minimal cover of random hosts and /30s of 203.0.113.0/24 and 198.51.100.0/24. */
function group(next: () => number, id: string, from: number): EnforcementGroup {
  const listed: string[] = []
  for (let i = 0; i < 1 + Math.floor(next() * 40); i++) {
    const net = next() < 0.5 ? '203.0.113' : '198.51.100'
    listed.push(
      next() < 0.8 ? `${net}.${Math.floor(next() * 256)}/32` : `${net}.${Math.floor(next() * 64) * 4}/30`,
    )
  }
  return { id, event: id.slice(2), from, until: from + 1000, prefixes: PrefixSet.from(listed).toPrefixes() }
}

function sorted(groups: EnforcementGroup[]) {
  return [...groups].sort((a, b) => a.id.localeCompare(b.id))
}

t.test('the quick diff turns the previous groups into the next ones, as core diffGroups does', async (t) => {
  const next = random(42)
  for (let run = 0; run < 300; run++) {
    const ids = ['w:a', 'w:b', 'w:c', 'w:d']
    const before = ids.filter(() => next() < 0.7).map((id) => group(next, id, 1000))
    const after = ids
      .filter(() => next() < 0.7)
      .map((id) => {
        const old = before.find((g) => g.id === id)
        if (old && next() < 0.4) return old
        if (old && next() < 0.5) return { ...old, until: old.until + 500 }
        return group(next, id, next() < 0.5 ? 1000 : 2000)
      })
    const ops = diffGroupsQuickly(before, after)
    const applied = applyGroupOps(before, ops)
    const same = sorted(applied).every((g, i) => {
      const want = sorted(after)[i]
      return (
        want !== undefined &&
        g.id === want.id &&
        g.from === want.from &&
        g.until === want.until &&
        PrefixSet.from(g.prefixes).equals(PrefixSet.from(want.prefixes))
      )
    })
    if (!same || applied.length !== after.length) {
      t.fail(`run ${run}: applying the quick diff does not give the next groups`)
      return
    }
    if (diffGroups(before, after).length === 0 && ops.length !== 0) {
      t.fail(`run ${run}: unchanged groups produced operations`)
      return
    }
  }
  t.pass('300 random changes: applying the quick diff always gives the next groups')
})

t.test(
  'a first group of three 100k-entry lists (300 000 prefixes) is counted as added, not a stack overflow',
  async (t) => {
    const prefixes = Array.from(
      { length: 300_000 },
      (_, i) => `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1/128`,
    )
    const group: EnforcementGroup = { id: 'w:m1', event: 'm1', from: 0, until: 1, prefixes }
    const { added, removed } = changedPrefixes([], [group])
    t.equal(added.length, 300_000, 'every prefix of the new group is added')
    t.same(
      changedPrefixes([group], []).removed.length,
      300_000,
      'and every one is removed when the group goes',
    )
    t.same(removed, [], 'nothing is removed by adding')
  },
)

t.test('a remembering patch compares two covers once and gives what the plain diff gives', async (t) => {
  const next = random(7)
  let asked = 0
  const patchOf = rememberingPatches(() => {
    asked++
    return undefined
  })
  const before = group(next, 'w:m1', 0)
  const after = group(next, 'w:m1', 0)
  const first = patchOf(before.prefixes, after.prefixes)
  const second = patchOf(before.prefixes, after.prefixes)
  t.equal(second, first, 'the second comparison of the same two covers is the remembered patch')
  t.equal(asked, 2, 'the known patches are still asked first each time')
  const ops = diffGroupsQuickly([before], [after], patchOf)
  t.same(applyGroupOps([before], ops), [after], 'the diff built on it turns the old group into the new one')
  const set = (prefixes: string[]) => PrefixSet.from(prefixes)
  t.ok(
    set(before.prefixes).subtract(set(first!.remove)).union(set(first!.add)).equals(set(after.prefixes)),
    'removing then adding the patch gives the new cover',
  )
  const known = { add: ['192.0.2.0/24'], remove: [] }
  t.equal(rememberingPatches(() => known)(before.prefixes, after.prefixes), known, 'a known patch wins')
})
