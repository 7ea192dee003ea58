import t from 'tap'
import { defaultSharedAsns } from '../src/data/shared-asns.js'
import { createGuard, defaultGuardConfig, type GuardConfig } from '../src/guard.js'
import type { AsnLookup } from '../src/guard-asn.js'
import { parseTarget, type Target } from '../src/target.js'

function target(text: string): Target {
  const result = parseTarget(text)
  if (!result.ok) throw new Error(`test target ${text} does not parse: ${result.message}`)
  return result.target
}

const withOrder = { hasCurrentOrder: true }
/** Documentation ranges relaxed and no protected range at all: only the ASN rule can hold. */
const bare: GuardConfig = { ...defaultGuardConfig, allowSpecial: ['documentation'], protectedRanges: [] }

/** A lookup that pretends 203.0.113.0/25 is Cloudflare's and 203.0.113.128/25 a small hoster's. */
const lookup: AsnLookup = (prefix) => {
  if (prefix.startsWith('203.0.113.0/24')) {
    return [
      { asn: 13335, organisation: 'Cloudflare, Inc.' },
      { asn: 64500, organisation: 'Small Hoster' },
    ]
  }
  const last = Number(prefix.split('/')[0]!.split('.')[3])
  if (prefix.startsWith('203.0.113.') && last < 128) return [{ asn: 13335, organisation: 'Cloudflare, Inc.' }]
  if (prefix.startsWith('203.0.113.')) return [{ asn: 64500, organisation: 'Small Hoster' }]
  return []
}

t.test(
  'an entry announced by a shared-infrastructure ASN is held naming the ASN and organisation',
  async (t) => {
    const verdict = createGuard(bare, { asnOf: lookup }).check(target('203.0.113.7'), withOrder)
    t.equal(verdict.verdict, 'held', 'held for review even though no protected range covers it')
    t.match(verdict.reasons, [
      {
        code: 'shared-infrastructure',
        asn: 13335,
        organisation: 'Cloudflare, Inc.',
        name: 'Cloudflare',
        source: 'https://www.peeringdb.com/asn/13335',
      },
    ])
    t.match(verdict.reasons[0]?.message, /203\.0\.113\.7 is announced by AS13335 \(Cloudflare, Inc\.\)/)
  },
)

t.test('an entry announced only by networks not marked shared is accepted', async (t) => {
  const verdict = createGuard(bare, { asnOf: lookup }).check(target('203.0.113.200'), withOrder)
  t.same(verdict, { verdict: 'accepted', reasons: [] })
})

t.test('a prefix spanning a shared and an unshared network names only the shared one', async (t) => {
  const verdict = createGuard(bare, { asnOf: lookup }).check(target('203.0.113.0/24'), withOrder)
  t.equal(verdict.verdict, 'held')
  t.same(
    verdict.reasons.map((r) => [r.code, r.asn]),
    [['shared-infrastructure', 13335]],
  )
})

t.test('the shared table is the operator’s: an emptied table holds nothing, a new row does', async (t) => {
  const none = createGuard({ ...bare, sharedAsns: [] }, { asnOf: lookup })
  t.equal(none.check(target('203.0.113.7'), withOrder).verdict, 'accepted')
  const mine = createGuard(
    {
      ...bare,
      sharedAsns: [{ asn: 64500, name: 'Small Hoster', kind: 'hoster', source: 'ops, 2026-12-01' }],
    },
    { asnOf: lookup },
  )
  t.match(mine.check(target('203.0.113.200'), withOrder).reasons, [
    { code: 'shared-infrastructure', asn: 64500, source: 'ops, 2026-12-01' },
  ])
})

t.test('without a lookup the guard checks no ASN (and stays pure)', async (t) => {
  t.equal(createGuard(bare).check(target('203.0.113.7'), withOrder).verdict, 'accepted')
})

t.test('a rejected entry stays rejected whatever network announces it', async (t) => {
  const verdict = createGuard({ ...bare, allowSpecial: [] }, { asnOf: lookup }).check(
    target('203.0.113.7'),
    withOrder,
  )
  t.equal(verdict.verdict, 'rejected')
})

t.test('the default table names the big CDNs, clouds and hosters, each with a source', async (t) => {
  const asns = new Set(defaultSharedAsns.map((row) => row.asn))
  for (const asn of [13335, 20940, 16625, 15169, 16509, 54113, 8075, 21859, 60068, 16276, 24940]) {
    t.ok(asns.has(asn), `AS${asn} is shared by default`)
  }
  t.ok(
    defaultSharedAsns.every((row) => row.source.length > 0 && row.name.length > 0),
    'every row says who and where from',
  )
  t.equal(asns.size, defaultSharedAsns.length, 'each ASN once')
})
