import fc from 'fast-check'
import t from 'tap'
import { diffPlans, type PlanEntry, toEnforcementPlan } from '../src/enforcement.js'
import { PrefixSet } from '../src/prefix-set.js'
import { anyPrefix, holds } from './fixtures/prefix-arbitraries.js'

const entries = fc.array(
  fc.record({ prefix: anyPrefix, until: fc.integer({ min: 1, max: 4 }).map((h) => h * 3_600_000) }),
  { maxLength: 10 },
)

/** The latest until among the entries covering a prefix that lies wholly inside one plan entry. */
function latestUntil(input: PlanEntry[], prefix: string): number {
  return Math.max(...input.filter((e) => PrefixSet.from([e.prefix]).overlaps(prefix)).map((e) => e.until))
}

t.test('a host inside a longer-lived /24 is not enforced twice; the later until wins', async (t) => {
  const plan = toEnforcementPlan([
    { prefix: '203.0.113.0/24', until: 2000 },
    { prefix: '203.0.113.7/32', until: 1000 },
  ])
  t.same(plan, [{ prefix: '203.0.113.0/24', until: 2000 }], 'the /24 already covers the host until later')
})

t.test('a host that outlives its /24 keeps its own until and the /24 is split around it', async (t) => {
  const plan = toEnforcementPlan([
    { prefix: '203.0.113.0/30', until: 1000 },
    { prefix: '203.0.113.1/32', until: 2000 },
  ])
  t.same(
    plan,
    [
      { prefix: '203.0.113.1/32', until: 2000 },
      { prefix: '203.0.113.0/32', until: 1000 },
      { prefix: '203.0.113.2/31', until: 1000 },
    ],
    'the host until 2000, the rest of the /30 until 1000',
  )
})

t.test('every address of the plan carries the latest until of the entries covering it', async (t) => {
  holds(
    t,
    'plan entries never overlap, cover the same addresses as the input and carry the latest until',
    fc.property(entries, (input) => {
      const plan = toEnforcementPlan(input)
      const disjoint = plan.every((p, i) =>
        plan.every((q, j) => i === j || !PrefixSet.from([p.prefix]).overlaps(q.prefix)),
      )
      const sameAddresses = PrefixSet.from(plan.map((e) => e.prefix)).equals(
        PrefixSet.from(input.map((e) => e.prefix)),
      )
      return disjoint && sameAddresses && plan.every((e) => e.until === latestUntil(input, e.prefix))
    }),
  )
})

t.test('diffPlans sends new and re-timed prefixes and removes the ones that are gone', async (t) => {
  const prev = [
    { prefix: '198.51.100.0/24', until: 1000 },
    { prefix: '203.0.113.7/32', until: 1000 },
    { prefix: '2001:db8::/48', until: 1000 },
  ]
  const next = [
    { prefix: '198.51.100.0/24', until: 1000 },
    { prefix: '203.0.113.7/32', until: 5000 },
    { prefix: '192.0.2.1/32', until: 1000 },
  ]
  t.same(
    diffPlans(prev, next),
    {
      add: [
        { prefix: '203.0.113.7/32', until: 5000 },
        { prefix: '192.0.2.1/32', until: 1000 },
      ],
      remove: ['2001:db8::/48'],
    },
    'the extended host is re-sent, the new one added, the dropped /48 removed, the unchanged /24 left alone',
  )
  holds(
    t,
    'removing then adding turns the previous plan into the next one',
    fc.property(entries, entries, (a, b) => {
      const prevPlan = toEnforcementPlan(a)
      const nextPlan = toEnforcementPlan(b)
      const d = diffPlans(prevPlan, nextPlan)
      const state = new Map(prevPlan.map((e) => [e.prefix, e.until]))
      for (const prefix of d.remove) state.delete(prefix)
      for (const e of d.add) state.set(e.prefix, e.until)
      const key = (plan: [string, number][]) =>
        plan
          .map(([p, u]) => `${p}@${u}`)
          .sort()
          .join()
      return key([...state]) === key(nextPlan.map((e) => [e.prefix, e.until]))
    }),
  )
})
