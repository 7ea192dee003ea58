import fc from 'fast-check'
import t from 'tap'
import { computeEffectiveState, type Revocation, type StateInputs } from '../src/effective-state.js'
import { PrefixSet } from '../src/prefix-set.js'
import { seasonOf } from '../src/season.js'
import type { MatchEvent } from '../src/time.js'
import { at, coppa, list, minute, order, serieA } from './fixtures/state-inputs.js'

// Sunday 29 Nov 2026 12:00 Rome: the next day spans weeks 48 and 49, so windows cross the boundary.
const base = at('2026-11-29T12:00:00+01:00')
const day = 24 * 60 * minute

const prefix = fc
  .tuple(
    fc.constantFrom('203.0.113', '198.51.100'),
    fc.integer({ min: 24, max: 32 }),
    fc.integer({ min: 0, max: 255 }),
  )
  .map(([net, length, host]) => {
    const size = 2 ** (32 - length)
    return `${net}.${host - (host % size)}/${length}`
  })

const event = (id: string) =>
  fc
    .record({
      start: fc.integer({ min: 0, max: day }),
      duration: fc.integer({ min: 90, max: 150 }),
      competition: fc.constantFrom('serie-a', 'coppa-italia'),
      status: fc.constantFrom('scheduled', 'scheduled', 'live', 'postponed', 'cancelled'),
      pre: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
      post: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    })
    .map(
      (e): MatchEvent => ({
        id,
        competition: e.competition,
        kickoff: base + e.start,
        end: base + e.start + e.duration * minute,
        status: e.status,
        preMinutes: e.pre,
        postMinutes: e.post,
      }),
    )

const rightsholders = ['sky-it', 'dazn', 'mediaset']

const stateInputs: fc.Arbitrary<StateInputs> = fc
  .record({
    now: fc.integer({ min: 0, max: day + 3 * 60 * minute }),
    // Most samples look at an instant near some kickoff, so that windows are usually live.
    nearEvent: fc.option(
      fc.record({ index: fc.integer({ min: 0, max: 3 }), offset: fc.integer({ min: -30, max: 180 }) }),
      {
        freq: 4,
        nil: undefined,
      },
    ),
    graceMs: fc.integer({ min: 0, max: 5 * minute }),
    events: fc.tuple(event('m1'), event('m2'), event('m3'), event('m4')),
    orders: fc.array(
      fc.record({
        rightsholder: fc.constantFrom(...rightsholders),
        competitions: fc.subarray(['serie-a', 'coppa-italia'], { minLength: 1 }),
        season: fc.constantFrom('2026-27', '2026-27', '2025-26'),
        suspended: fc.constantFrom(false, false, true),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    // Every rightsholder has a (possibly empty) list for both weeks; sometimes a second one (hot additions).
    lists: fc.array(fc.array(prefix, { maxLength: 5 }), { minLength: 6, maxLength: 8 }),
    revocations: fc.array(
      fc.record({ prefix, order: fc.option(fc.constantFrom('o0', 'o1', 'o2'), { nil: undefined }) }),
      { maxLength: 3 },
    ),
  })
  .map((r) => ({
    now: r.nearEvent ? r.events[r.nearEvent.index]!.kickoff + r.nearEvent.offset * minute : base + r.now,
    graceMs: r.graceMs,
    competitions: [serieA, coppa],
    events: [...r.events],
    orders: r.orders.map((o, i) => order(`o${i}`, o.rightsholder, o)),
    lists: r.lists.map((prefixes, i) =>
      list(rightsholders[i % 3]!, i % 6 < 3 ? '2026-W48' : '2026-W49', prefixes),
    ),
    revocations: r.revocations.map((v): Revocation => (v.order === undefined ? { prefix: v.prefix } : v)),
  }))

const revokedFor = (inputs: StateInputs, orderId: string) =>
  PrefixSet.from(
    inputs.revocations.filter((r) => r.order === undefined || r.order === orderId).map((r) => r.prefix),
  )

const listed = (inputs: StateInputs, rightsholder: string, week: string) =>
  PrefixSet.from(
    inputs.lists.filter((l) => l.rightsholder === rightsholder && l.week === week).flatMap((l) => l.prefixes),
  )

t.test(
  'every enforced entry has a provenance and none outlives the latest live window end + grace',
  async (t) => {
    fc.assert(
      fc.property(stateInputs, (inputs) => {
        const { live, entries } = computeEffectiveState(inputs)
        const latest = Math.max(...live.map((w) => w.closesAt)) + inputs.graceMs
        for (const entry of entries) {
          if (entry.provenance.length === 0) return false
          if (entry.until > latest || entry.until <= inputs.now) return false
        }
        return true
      }),
    )
    t.pass('property held for every generated state')
  },
)

t.test(
  'every provenance names a live window and a non-suspended order whose list holds the entry',
  async (t) => {
    fc.assert(
      fc.property(stateInputs, (inputs) => {
        const { live, entries } = computeEffectiveState(inputs)
        for (const entry of entries) {
          for (const p of entry.provenance) {
            const window = live.find((w) => w.event === p.event)
            const o = inputs.orders.find((x) => x.id === p.order)
            const e = inputs.events.find((x) => x.id === p.event)
            if (!window || !o || !e || o.suspended || window.week !== p.week) return false
            const competition = window.competition === 'serie-a' ? serieA : coppa
            if (!o.competitions.includes(window.competition) || o.season !== seasonOf(e.kickoff, competition))
              return false
            if (!listed(inputs, o.rightsholder, p.week).contains(entry.prefix)) return false
            if (revokedFor(inputs, o.id).overlaps(entry.prefix)) return false
            if (entry.until < window.closesAt + inputs.graceMs) return false
          }
        }
        return true
      }),
    )
    t.pass('property held for every generated state')
  },
)

t.test('the enforced address space is exactly the eligible lists minus revocations', async (t) => {
  fc.assert(
    fc.property(stateInputs, (inputs) => {
      const { live, entries } = computeEffectiveState(inputs)
      let expected = PrefixSet.empty()
      for (const window of live) {
        const e = inputs.events.find((x) => x.id === window.event)!
        const competition = window.competition === 'serie-a' ? serieA : coppa
        for (const o of inputs.orders) {
          if (o.suspended || !o.competitions.includes(window.competition)) continue
          if (o.season !== seasonOf(e.kickoff, competition)) continue
          expected = expected.union(
            listed(inputs, o.rightsholder, window.week).subtract(revokedFor(inputs, o.id)),
          )
        }
      }
      return PrefixSet.from(entries.map((x) => x.prefix)).equals(expected)
    }),
  )
  t.pass('property held for every generated state')
})

t.test('the generated states often have live windows and enforced entries', async (t) => {
  const samples = fc.sample(stateInputs, { numRuns: 200, seed: 1 })
  const enforcing = samples.filter((inputs) => computeEffectiveState(inputs).entries.length > 0).length
  t.ok(enforcing > 40, `${enforcing} of 200 samples enforce something, so the properties are not vacuous`)
})

t.test('suspending every order empties the state', async (t) => {
  fc.assert(
    fc.property(stateInputs, (inputs) => {
      const suspended = { ...inputs, orders: inputs.orders.map((o) => ({ ...o, suspended: true })) }
      return computeEffectiveState(suspended).entries.length === 0
    }),
  )
  t.pass('property held for every generated state')
})
