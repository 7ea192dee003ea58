import t from 'tap'
import {
  checkComplaintTarget,
  checkRevocationScope,
  liftOfRevocation,
  liftOfSuspension,
  parseTarget,
  prefixWithin,
} from '../src/index.js'

const soft = { v4: 24, v6: 48 }
const target = (text: string) => {
  const parsed = parseTarget(text)
  if (!parsed.ok || parsed.target.kind !== 'prefix') throw new Error(text)
  return parsed.target
}
const provenance = (order: string) => ({ order, rightsholder: 'r', week: '2026-W48', event: 'm1' })

t.test('a complaint target broader than the soft limit is refused, a host or a /24 is not', async (t) => {
  for (const text of ['0.0.0.0/0', '203.0.112.0/23', '2001:db8::/47'])
    t.match(checkComplaintTarget(target(text), soft), { ok: false, reason: 'broader-than-soft-limit' }, text)
  for (const text of ['203.0.113.7', '203.0.113.0/24', '2001:db8::/48', '2001:db8::1'])
    t.same(checkComplaintTarget(target(text), soft), { ok: true }, text)
})

t.test('a revocation may reach only inside the complaint target, in the same family', async (t) => {
  t.ok(prefixWithin('203.0.113.7/32', '203.0.113.0/24'))
  t.ok(prefixWithin('203.0.113.0/24', '203.0.113.0/24'))
  t.notOk(prefixWithin('203.0.113.0/24', '203.0.113.7/32'))
  t.notOk(prefixWithin('::/0', '0.0.0.0/0'), 'families never nest')
  t.match(checkRevocationScope('0.0.0.0/0', '203.0.113.7/32'), { ok: false, reason: 'outside-complaint' })
})

t.test(
  'a revocation lifts the overlap of each entry with what it names, and says who keeps it',
  async (t) => {
    const entries = [
      { prefix: '203.0.113.0/24', until: 1, provenance: [provenance('o1')] },
      { prefix: '203.0.113.128/32', until: 2, provenance: [provenance('o1'), provenance('o2')] },
    ]
    t.same(liftOfRevocation(['203.0.113.128/25'], entries, 'o1'), [
      { prefix: '203.0.113.128/25', entry: '203.0.113.0/24', until: 1, orders: ['o1'], stillBlockedBy: [] },
      {
        prefix: '203.0.113.128/32',
        entry: '203.0.113.128/32',
        until: 2,
        orders: ['o1'],
        stillBlockedBy: ['o2'],
      },
    ])
    t.same(liftOfRevocation(['198.51.100.0/24'], entries), [], 'nothing outside what it names')
    t.same(
      liftOfSuspension('o2', entries).map((lift) => [lift.prefix, lift.stillBlockedBy]),
      [['203.0.113.128/32', ['o1']]],
      'suspending an order lifts only its entries, still blocked where another order lists them',
    )
  },
)
