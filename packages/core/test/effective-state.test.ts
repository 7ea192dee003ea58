import t from 'tap'
import {
  computeEffectiveState,
  computeGroups,
  liveWindows,
  surveillance,
  upcomingWindows,
} from '../src/effective-state.js'
import { PrefixSet } from '../src/prefix-set.js'
import { at, inputs, list, match, minute, order, sundayMatch } from './fixtures/state-inputs.js'

const closes = at('2026-11-29T23:10:00+01:00')
const grace = 2 * minute
const prefixesOf = (state: ReturnType<typeof computeEffectiveState>) => state.entries.map((e) => e.prefix)

t.test('nothing is enforced outside every event window', async (t) => {
  for (const now of [at('2026-11-29T20:29:59+01:00'), closes + grace, at('2026-11-30T12:00:00+01:00')]) {
    const state = computeEffectiveState(inputs({ now }))
    t.same(state.entries, [], `no entries at ${new Date(now).toISOString()}`)
    t.same(state.live, [], 'no live window')
  }
})

t.test('a window is live from its opening instant up to, not including, its close', async (t) => {
  t.equal(liveWindows(inputs({ now: at('2026-11-29T20:30:00+01:00') })).length, 1, 'live at opensAt')
  t.equal(liveWindows(inputs({ now: closes - 1 })).length, 1, 'live 1 ms before closesAt')
  t.equal(liveWindows(inputs({ now: closes })).length, 0, 'closed at closesAt')
})

t.test('a recompute during the grace period keeps the group until its until', async (t) => {
  const duringGrace = inputs({ now: closes + grace / 2 })
  const state = computeEffectiveState(duringGrace)
  t.same(state.live, [], 'the window itself is no longer live')
  t.same(prefixesOf(state), ['198.51.100.7/32', '203.0.113.0/24'], 'its entries are still enforced')
  t.equal(state.entries[0]?.until, closes + grace, 'until is still the close + grace')
  const groups = computeGroups(duringGrace, 36 * 60 * minute)
  t.same(
    groups.map((g) => [g.id, g.until]),
    [['w:m1', closes + grace]],
    'the group is still there with the same until, so a recompute does not drop it early',
  )
  t.same(computeGroups(inputs({ now: closes + grace }), 36 * 60 * minute), [], 'gone at until')
  t.same(computeEffectiveState(inputs({ now: closes + grace })).entries, [], 'nothing enforced at until')
})

t.test(
  'during a live window every eligible list entry is enforced with its provenance and until',
  async (t) => {
    const state = computeEffectiveState(inputs())
    t.same(
      prefixesOf(state),
      ['198.51.100.7/32', '203.0.113.0/24'],
      'the week-48 lists of both rightsholders',
    )
    const shared = state.entries.find((e) => e.prefix === '198.51.100.7/32')
    t.same(
      shared?.provenance,
      [
        { order: 'o1', rightsholder: 'sky-it', week: '2026-W48', event: 'm1' },
        { order: 'o2', rightsholder: 'dazn', week: '2026-W48', event: 'm1' },
      ],
      'an address listed by two rightsholders remembers both',
    )
    for (const entry of state.entries)
      t.equal(entry.until, closes + 2 * minute, `${entry.prefix} until close + grace`)
  },
)

t.test('suspending one of two orders listing an address keeps the block under the other', async (t) => {
  const state = computeEffectiveState(
    inputs({ orders: [order('o1', 'sky-it', { suspended: true }), order('o2', 'dazn')] }),
  )
  t.same(prefixesOf(state), ['198.51.100.7/32'], "only dazn's entry is left")
  t.same(
    state.entries[0]?.provenance.map((p) => p.order),
    ['o2'],
    'with the remaining provenance',
  )
})

t.test('an order covers only its own competitions and season', async (t) => {
  const otherSeason = computeEffectiveState(
    inputs({ orders: [order('o1', 'sky-it', { season: '2025-26' })] }),
  )
  t.same(otherSeason.entries, [], 'a 2025-26 order does not cover a November 2026 match')
  const otherCompetition = computeEffectiveState(
    inputs({ orders: [order('o1', 'sky-it', { competitions: ['coppa-italia'] })] }),
  )
  t.same(otherCompetition.entries, [], 'a Coppa Italia order does not cover a Serie A match')
  const cup = match('c1', '2026-11-29T20:45:00+01:00', '2026-11-29T22:40:00+01:00', {
    competition: 'coppa-italia',
  })
  const both = computeEffectiveState(
    inputs({ events: [cup], orders: [order('o1', 'sky-it', { competitions: ['serie-a', 'coppa-italia'] })] }),
  )
  t.equal(both.entries.length, 2, 'an order for both competitions covers the cup match')
})

t.test('a revoked address is carved out of a listed prefix and the rest stays enforced', async (t) => {
  const state = computeEffectiveState(inputs({ revocations: [{ prefix: '203.0.113.7/32' }] }))
  const enforced = PrefixSet.from(prefixesOf(state))
  t.notOk(enforced.overlaps('203.0.113.7/32'), 'the revoked address is not enforced')
  t.ok(enforced.contains('203.0.113.0/30'), 'its neighbours below are')
  t.ok(enforced.contains('203.0.113.128/25'), 'its neighbours above are')
  t.equal(enforced.addressCount(4), 256n - 1n + 1n, '255 addresses of the /24 plus 198.51.100.7')
  t.ok(prefixesOf(state).includes('203.0.113.6/32'), 'the remainder is expressed as smaller prefixes')
  const carved = state.entries.find((e) => e.prefix === '203.0.113.128/25')
  t.same(
    carved?.provenance.map((p) => p.order),
    ['o1'],
    'pieces keep the provenance of the listed prefix',
  )
})

t.test('a revocation scoped to one order removes only that order provenance', async (t) => {
  const state = computeEffectiveState(inputs({ revocations: [{ prefix: '198.51.100.7/32', order: 'o1' }] }))
  const entry = state.entries.find((e) => e.prefix === '198.51.100.7/32')
  t.same(
    entry?.provenance.map((p) => p.order),
    ['o2'],
    "dazn's order still justifies the block",
  )
  const alone = computeEffectiveState(
    inputs({ orders: [order('o1', 'sky-it')], revocations: [{ prefix: '198.51.100.0/24', order: 'o1' }] }),
  )
  t.same(prefixesOf(alone), ['203.0.113.0/24'], 'with no other provenance the address leaves the state')
})

t.test('an entry justified by overlapping windows lasts until the later one closes', async (t) => {
  const late = match('m2', '2026-11-29T21:00:00+01:00', '2026-11-29T23:00:00+01:00')
  const state = computeEffectiveState(inputs({ events: [sundayMatch, late] }))
  t.equal(state.live.length, 2, 'two live windows')
  const entry = state.entries.find((e) => e.prefix === '203.0.113.0/24')
  t.equal(entry?.until, at('2026-11-29T23:30:00+01:00') + 2 * minute, "the later window's close + grace")
  t.same(
    entry?.provenance.map((p) => p.event),
    ['m1', 'm2'],
    'provenance names both events',
  )
})

t.test('a window that is extended while live keeps its entries enforced until the new end', async (t) => {
  const now = at('2026-11-29T23:15:00+01:00')
  t.same(computeEffectiveState(inputs({ now })).entries, [], 'the original window has closed')
  const extended = { ...sundayMatch, end: at('2026-11-29T23:10:00+01:00') }
  const state = computeEffectiveState(inputs({ now, events: [extended] }))
  t.equal(state.entries.length, 2, 'still enforced after extra time')
  t.equal(
    state.entries[0]?.until,
    at('2026-11-29T23:40:00+01:00') + 2 * minute,
    'until the new end + post + grace',
  )
})

t.test('cancelling a live event switches its entries off at once', async (t) => {
  const state = computeEffectiveState(inputs({ events: [{ ...sundayMatch, status: 'cancelled' }] }))
  t.same(state.entries, [], 'no entries')
})

t.test("a late Sunday match enforces its kickoff week's list after midnight", async (t) => {
  const late = match('m3', '2026-11-29T23:30:00+01:00', '2026-11-30T01:25:00+01:00')
  const state = computeEffectiveState(
    inputs({
      now: at('2026-11-30T01:00:00+01:00'),
      events: [late],
      lists: [list('sky-it', '2026-W48', ['203.0.113.0/24']), list('sky-it', '2026-W49', ['192.0.2.0/24'])],
    }),
  )
  t.same(prefixesOf(state), ['203.0.113.0/24'], 'the week-48 list, not the week-49 one')
})

t.test('entries dropped from this week list are under surveillance, not enforced', async (t) => {
  const state = computeEffectiveState(inputs())
  t.notOk(prefixesOf(state).includes('192.0.2.1/32'), "last week's entry is not enforced")
  t.same(surveillance(inputs(), 'sky-it', '2026-W48'), ['192.0.2.1/32'], 'it is under surveillance')
  t.same(surveillance(inputs(), 'dazn', '2026-W48'), [], 'dazn had no list last week')
  const narrowed = inputs({
    lists: [list('sky-it', '2026-W47', ['203.0.113.0/24']), list('sky-it', '2026-W48', ['203.0.113.0/25'])],
  })
  t.same(
    surveillance(narrowed, 'sky-it', '2026-W48'),
    ['203.0.113.128/25'],
    'a narrowed prefix leaves its remainder',
  )
  const rolled = inputs({
    lists: [list('sky-it', '2026-W53', ['192.0.2.9/32']), list('sky-it', '2027-W01', [])],
  })
  t.same(surveillance(rolled, 'sky-it', '2027-W01'), ['192.0.2.9/32'], 'the previous week crosses the year')
})

t.test('upcoming windows are those not open yet that open within the horizon', async (t) => {
  const next = match('m4', '2026-12-06T15:00:00+01:00', '2026-12-06T16:55:00+01:00')
  const now = at('2026-11-29T12:00:00+01:00')
  const all = inputs({ now, events: [next, sundayMatch] })
  t.same(
    upcomingWindows(all, 36 * 60 * minute).map((w) => w.event),
    ['m1'],
    'the Sunday evening match is within 36 h',
  )
  t.same(
    upcomingWindows(all, 8 * 24 * 60 * minute).map((w) => w.event),
    ['m1', 'm4'],
    'both within 8 days, earliest first',
  )
  t.same(
    upcomingWindows({ ...all, now: at('2026-11-29T21:00:00+01:00') }, 60 * minute),
    [],
    'a live window is not upcoming',
  )
})
