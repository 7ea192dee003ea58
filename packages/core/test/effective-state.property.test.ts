import fc from 'fast-check'
import t from 'tap'
import { computeEffectiveState, enforcingWindows, type StateInputs } from '../src/effective-state.js'
import { PrefixSet } from '../src/prefix-set.js'
import { seasonOf } from '../src/season.js'
import { stateInputs } from './fixtures/state-arbitrary.js'
import { coppa, serieA } from './fixtures/state-inputs.js'

const revokedFor = (inputs: StateInputs, orderId: string) =>
  PrefixSet.from(
    inputs.revocations
      .filter((r) => r.order === undefined || r.order === orderId)
      .flatMap((r) => (r.prefix ? [r.prefix] : [])),
  )

const listed = (inputs: StateInputs, rightsholder: string, week: string) =>
  PrefixSet.from(
    inputs.lists.filter((l) => l.rightsholder === rightsholder && l.week === week).flatMap((l) => l.prefixes),
  )

t.test(
  'every enforced entry has a provenance and none outlives the latest enforcing window end + grace',
  async (t) => {
    fc.assert(
      fc.property(stateInputs, (inputs) => {
        const { entries } = computeEffectiveState(inputs)
        const latest = Math.max(...enforcingWindows(inputs).map((w) => w.closesAt)) + inputs.graceMs
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
  'every provenance names a window live or in its grace and a non-suspended order whose list holds the entry',
  async (t) => {
    fc.assert(
      fc.property(stateInputs, (inputs) => {
        const { entries } = computeEffectiveState(inputs)
        const live = enforcingWindows(inputs)
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
      const { entries } = computeEffectiveState(inputs)
      let expected = PrefixSet.empty()
      for (const window of enforcingWindows(inputs)) {
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
