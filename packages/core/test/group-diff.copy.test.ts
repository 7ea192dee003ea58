import fc from 'fast-check'
import t from 'tap'
import { applyGroupOps, UnknownGroupError } from '../src/group-apply.js'
import { diffGroups } from '../src/group-diff.js'
import type { EnforcementGroup } from '../src/groups.js'
import { byId, hour, sharedCovers } from './fixtures/groups.js'
import { holds } from './fixtures/prefix-arbitraries.js'

const cover = Array.from({ length: 50 }, (_, i) => `198.51.100.${i * 4}/30`)
const window = (id: string, from: number, prefixes: string[], names?: string[]): EnforcementGroup => ({
  id: `w:${id}`,
  event: id,
  from,
  until: from + 2 * hour,
  prefixes,
  ...(names ? { names } : {}),
})

t.test('a copy gives a new group the prefixes and names of its source, sharing its arrays', async (t) => {
  const names = ['live.pirate.test', 'pirate.test']
  const source = window('m1', 0, cover, names)
  const [kept, copied] = applyGroupOps(
    [source],
    [{ op: 'copy', id: 'w:m2', event: 'm2', from: hour, until: 3 * hour, source: 'w:m1' }],
  )
  t.same(kept, source, 'the source is left as it was')
  t.same(copied, window('m2', hour, cover, names), 'its own id, event and bounds, the source’s entries')
  t.equal(copied?.prefixes, source.prefixes, 'the same prefix array, not a copy of 50 strings')
  t.equal(copied?.names, source.names, 'the same name array')
})

t.test('a copy reads its source as the preceding ops of the revision left it', async (t) => {
  const before = [window('m1', 0, cover)]
  const [first, second] = applyGroupOps(before, [
    { op: 'patch', id: 'w:m1', from: 0, until: 2 * hour, add: ['203.0.113.9/32'], remove: [] },
    { op: 'copy', id: 'w:m2', event: 'm2', from: hour, until: 3 * hour, source: 'w:m1' },
  ])
  t.ok(second?.prefixes.includes('203.0.113.9/32'), 'the copy holds the prefix the patch before it added')
  t.equal(second?.prefixes, first?.prefixes, 'and shares the patched array')
})

t.test(
  'a copy whose source the receiver does not hold is refused with an error it can tell apart',
  async (t) => {
    const copy = { op: 'copy' as const, id: 'w:m2', event: 'm2', from: 0, until: hour, source: 'w:m1' }
    t.throws(() => applyGroupOps([], [copy]), UnknownGroupError, 'no source: out of step')
    try {
      applyGroupOps([window('m3', 0, cover)], [{ op: 'drop', id: 'w:m1' }, copy])
    } catch (err) {
      t.ok(err instanceof UnknownGroupError, 'an UnknownGroupError')
      t.equal((err as UnknownGroupError).group, 'w:m1', 'naming the missing source')
      t.equal((err as UnknownGroupError).op, 'copy', 'and the op that named it')
    }
    t.throws(
      () => applyGroupOps([], [{ op: 'patch', id: 'w:m9', from: 0, until: 1, add: [], remove: [] }]),
      UnknownGroupError,
      'a patch of an unknown group is the same kind of error',
    )
  },
)

t.test('a new window over a cover another window holds is staged as a copy, not a put', async (t) => {
  const m1 = window('m1', 0, cover)
  const ops = diffGroups([m1], [m1, window('m2', 4 * hour, cover)])
  t.same(
    ops,
    [{ op: 'copy', id: 'w:m2', event: 'm2', from: 4 * hour, until: 6 * hour, source: 'w:m1' }],
    'one op naming the source',
  )
  const equalNotSame = diffGroups([m1], [m1, window('m2', 4 * hour, [...cover])])
  t.equal(equalNotSame[0]?.op, 'copy', 'an equal cover in another array is found too')
  const other = diffGroups([m1], [m1, window('m2', 4 * hour, cover.slice(1))])
  t.equal(other[0]?.op, 'put', 'a different cover is put')
  const names = diffGroups([m1], [m1, window('m2', 4 * hour, cover, ['pirate.test'])])
  t.equal(names[0]?.op, 'put', 'the same prefixes with other names are put')
})

t.test('a window staged in the revision that patches the cover copies the patched window', async (t) => {
  const patched = [...cover, '203.0.113.9/32']
  const before = [window('m1', 0, cover)]
  const next = [window('m0', 4 * hour, patched), window('m1', 0, patched)]
  const ops = diffGroups(before, next)
  t.same(
    ops,
    [
      { op: 'patch', id: 'w:m1', from: 0, until: 2 * hour, add: ['203.0.113.9/32'], remove: [] },
      { op: 'copy', id: 'w:m0', event: 'm0', from: 4 * hour, until: 6 * hour, source: 'w:m1' },
    ],
    'the patch first, then a copy of its result, though m0 comes first in next',
  )
  t.same(byId(applyGroupOps(before, ops)), byId(next), 'the receiver holds both')
})

t.test('windows staged together copy from the first one put', async (t) => {
  const next = [window('m1', 0, cover), window('m2', hour, cover), window('m3', 2 * hour, cover)]
  const ops = diffGroups([], next)
  t.same(
    ops.map((op) => op.op),
    ['put', 'copy', 'copy'],
    'the cover travels once',
  )
  t.same(byId(applyGroupOps([], ops)), byId(next), 'and the receiver holds all three')
})

t.test('a copy never takes the old content of a group replaced later in the same ops', async (t) => {
  // m1 held `cover`; next, m1 changes whole and m2 is new with the old cover: m2 may copy m1 only
  // before m1 is replaced, which the order of the ops (next's order) decides.
  const before = [window('m1', 0, cover)]
  const replaced = window('m1', 0, ['192.0.2.0/24'])
  for (const next of [
    [replaced, window('m2', hour, cover)],
    [window('m2', hour, cover), replaced],
  ]) {
    const ops = diffGroups(before, next)
    t.same(byId(applyGroupOps(before, ops)), byId(next), `ops ${ops.map((op) => op.op).join(', ')}`)
  }
})

/**
 * Groups by id with empty `names` left out: a group's names absent and `names: []` mean the same
 * (none), and a group that only gains `names: []` is unchanged, so the diff rightly sends nothing.
 */
const normal = (groups: EnforcementGroup[]) =>
  byId(groups).map(({ names, ...group }) => (names?.length ? { ...group, names } : group))

t.test('applying diffGroups(previous, next) gives next when groups share covers', async (t) => {
  t.same(
    applyGroupOps(
      [window('m1', 0, ['2001:db8::/32'])],
      diffGroups([window('m1', 0, ['2001:db8::/32'])], [window('m1', 0, ['2001:db8::/32'], [])]),
    ),
    [window('m1', 0, ['2001:db8::/32'])],
    'a group that only gains empty names is left as it is (the counterexample of seed -802378701)',
  )
  holds(
    t,
    'applyGroupOps(previous, diffGroups(previous, next)) equals next, with copies among the ops',
    fc.property(sharedCovers, sharedCovers, (previous, next) => {
      const ops = diffGroups(previous, next)
      const result = applyGroupOps(previous, ops)
      return (
        JSON.stringify(normal(result)) === JSON.stringify(normal(next)) &&
        ops.every((op) => op.op !== 'copy' || op.source !== op.id)
      )
    }),
  )
  holds(
    t,
    'a group whose entries another group of next holds is never put with all its prefixes',
    fc.property(sharedCovers, (next) => {
      const ops = diffGroups([], next)
      const puts = ops.filter((op) => op.op === 'put').map((op) => (op.op === 'put' ? op.group : undefined))
      const key = (g: EnforcementGroup | undefined) => JSON.stringify([g?.prefixes, g?.names ?? []])
      const putTwice = puts.filter((g) => g?.names?.length !== 0 && g?.prefixes.length !== 0)
      return new Set(putTwice.map(key)).size === putTwice.length
    }),
  )
})
