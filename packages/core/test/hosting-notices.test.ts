import t from 'tap'
import { type AsnLookup, hostingWeeks, type StateInputs } from '../src/index.js'

const kickoff = Date.parse('2026-11-25T20:45:00+01:00')
const inputs = (now: number): StateInputs => ({
  now,
  graceMs: 60_000,
  competitions: [
    { id: 'serie-a', name: 'Serie A', timeZone: 'Europe/Rome', preMinutes: 15, postMinutes: 30 },
  ],
  events: [
    { id: 'm1', competition: 'serie-a', kickoff, end: kickoff + 115 * 60_000, status: 'scheduled' },
    // Same week, two days later.
    {
      id: 'm2',
      competition: 'serie-a',
      kickoff: kickoff + 2 * 86_400_000,
      end: kickoff + 2 * 86_400_000 + 115 * 60_000,
      status: 'scheduled',
    },
  ],
  orders: [
    {
      id: 'o1',
      rightsholder: 'sky-it',
      competitions: ['serie-a'],
      season: '2026-27',
      reference: 'R1',
      suspended: false,
    },
  ],
  lists: [
    {
      rightsholder: 'sky-it',
      week: '2026-W48',
      prefixes: ['203.0.113.7/32', '203.0.113.8/32', '198.51.100.1/32'],
    },
    { rightsholder: 'sky-it', week: '2026-W49', prefixes: ['203.0.113.9/32'] },
  ],
  revocations: [{ prefix: '203.0.113.8/32' }],
})
// Test networks: 203.0.113.0/24 is AS64500's, 198.51.100.0/24 nobody's.
const asnOf: AsnLookup = (prefix) =>
  prefix.startsWith('203.0.113.') ? [{ asn: 64500, organisation: 'Example Hosting' }] : []

t.test(
  'a weekly hosting notice lists, per announcing network, the addresses enforced in windows that opened',
  async (t) => {
    const afterFirst = hostingWeeks(inputs(kickoff + 86_400_000), '2026-W48', asnOf)
    t.same(
      afterFirst.map((n) => [n.asn, n.addresses.map((a) => a.prefix)]),
      [[64500, ['203.0.113.7/32']]],
      'revoked and unannounced addresses left out',
    )
    t.same(
      afterFirst[0]?.addresses[0]?.windows.map((w) => w.event),
      ['m1'],
      'm2 had not opened yet',
    )
    const afterWeek = hostingWeeks(inputs(kickoff + 7 * 86_400_000), '2026-W48', asnOf)
    t.same(
      afterWeek[0]?.addresses[0]?.windows.map((w) => w.event),
      ['m1', 'm2'],
      'both windows once the week is over',
    )
    t.same(afterWeek[0]?.addresses[0]?.orders, ['R1'])
    t.notOk(
      JSON.stringify(afterWeek).includes('203.0.113.9'),
      "next week's list is not in this week's notice",
    )
  },
)
