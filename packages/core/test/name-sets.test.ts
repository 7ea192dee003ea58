import fc from 'fast-check'
import t from 'tap'
import { computeEffectiveState, computeGroups, type WeeklyList } from '../src/effective-state.js'
import { carveNames, RevokedNames } from '../src/name-sets.js'
import { namesOverlap } from '../src/names.js'
import { holds } from './fixtures/prefix-arbitraries.js'
import { inputs, minute, order } from './fixtures/state-inputs.js'

const horizon = 36 * 60 * minute

function withNames(rightsholder: string, names: string[]): WeeklyList {
  return { rightsholder, week: '2026-W48', prefixes: [], names }
}

t.test('names listed for the week are enforced with provenance and until, beside prefixes', async (t) => {
  const state = computeEffectiveState(
    inputs({
      lists: [
        ...inputs().lists,
        withNames('sky-it', ['live.pirate.example', 'b.pirate.example']),
        withNames('dazn', ['live.pirate.example']),
      ],
    }),
  )
  t.same(
    state.names.map((entry) => [entry.name, entry.provenance.map((p) => p.order)]),
    [
      ['b.pirate.example', ['o1']],
      ['live.pirate.example', ['o1', 'o2']],
    ],
    'sorted by name, one entry per name, every order that lists it',
  )
  t.equal(state.names[0]?.until, state.entries[0]?.until, 'a name ends with its window like a prefix')
  t.equal(state.entries.length, 2, 'the prefixes are untouched')
})

t.test('a group carries its orders names, sorted and unique; no names means no field', async (t) => {
  const plain = computeGroups(inputs(), horizon)
  t.notOk('names' in plain[0]!, 'a group without names has no names field')
  const [group] = computeGroups(
    inputs({
      lists: [
        ...inputs().lists,
        withNames('sky-it', ['z.example', 'a.example']),
        withNames('dazn', ['a.example']),
      ],
    }),
    horizon,
  )
  t.same(group?.names, ['a.example', 'z.example'], 'union of both orders, sorted')
})

t.test(
  'suspending one of two orders that list a name keeps it; revoking it lifts it everywhere',
  async (t) => {
    const lists = [withNames('sky-it', ['live.pirate.example']), withNames('dazn', ['live.pirate.example'])]
    const suspended = computeGroups(
      inputs({ lists, orders: [order('o1', 'sky-it', { suspended: true }), order('o2', 'dazn')] }),
      horizon,
    )
    t.same(suspended[0]?.names, ['live.pirate.example'], 'the other order keeps the block')
    const revoked = computeGroups(inputs({ lists, revocations: [{ name: 'live.pirate.example' }] }), horizon)
    t.notOk(revoked[0]?.names, 'a revocation for every order lifts it')
    const onlyOne = computeEffectiveState(
      inputs({ lists, revocations: [{ name: 'live.pirate.example', order: 'o1' }] }),
    )
    t.same(
      onlyOne.names[0]?.provenance.map((p) => p.order),
      ['o2'],
      'a revocation for one order leaves the others provenance',
    )
  },
)

t.test('wildcards are enforced only through orders that allow them', async (t) => {
  const lists = [withNames('sky-it', ['*.pirate.example', 'live.other.example'])]
  const refused = computeGroups(inputs({ lists }), horizon)
  t.same(refused[0]?.names, ['live.other.example'], 'the order does not allow wildcards')
  const allowed = computeGroups(
    inputs({ lists, orders: [order('o1', 'sky-it', { allowWildcards: true }), order('o2', 'dazn')] }),
    horizon,
  )
  t.same(allowed[0]?.names, ['*.pirate.example', 'live.other.example'], 'the order allows them')
})

t.test(
  'revoking a name under a listed wildcard lifts the wildcard (the complainant must resolve)',
  async (t) => {
    const revoked = new RevokedNames(['shop.pirate.example'])
    t.same(carveNames(['*.pirate.example', 'live.pirate.example'], revoked, true), ['live.pirate.example'])
    const revokedWildcard = new RevokedNames(['*.pirate.example'])
    t.same(
      carveNames(['a.pirate.example', 'pirate.example', 'x.other.example'], revokedWildcard, true),
      ['pirate.example', 'x.other.example'],
      'a revoked wildcard lifts the names under it, not its base',
    )
  },
)

t.test('a carved list never blocks a revoked name', async (t) => {
  const label = fc.constantFrom('a', 'b', 'c')
  const pattern = fc
    .tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 }))
    .map(([wild, labels]) => `${wild ? '*.' : ''}${labels.join('.')}.example`)
  holds(
    t,
    'no kept pattern overlaps a revoked one, and every dropped one does',
    fc.property(
      fc.array(pattern, { maxLength: 8 }),
      fc.array(pattern, { maxLength: 3 }),
      (listed, revokedNames) => {
        const revoked = new RevokedNames(revokedNames)
        const kept = new Set(carveNames(listed, revoked, true))
        return listed.every((name) => kept.has(name) === !revokedNames.some((r) => namesOverlap(name, r)))
      },
    ),
  )
})
