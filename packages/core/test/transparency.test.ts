import t from 'tap'
import { median, type TransparencyInputs, transparencyReport } from '../src/transparency.js'

const order = {
  id: 'o1',
  reference: '123/26/DDA',
  rightsholder: 'sky-it',
  competitions: ['serie-a'],
  season: '2026-27',
  suspended: false,
  issuedAt: 0,
  updatedAt: 0,
}
const base: TransparencyInputs = {
  now: Date.parse('2026-12-01T12:00:00Z'),
  timeZone: 'Europe/Rome',
  orders: [order, { ...order, id: 'o2', rightsholder: 'dazn', suspended: true }],
  enforcedUnder: [['o1'], ['o1', 'o2'], ['o2', 'o2']],
  lists: [
    { rightsholder: 'sky-it', week: '2026-W49', entries: 10, held: 2, rejected: 1, hotAdditions: 3 },
    { rightsholder: 'sky-it', week: '2026-W48', entries: 5, held: 0, rejected: 0, hotAdditions: 0 },
  ],
  complaints: [
    { id: 'c1', filedAt: 0, status: 'open' },
    {
      id: 'c2',
      filedAt: Date.parse('2026-12-01T10:00:00Z'),
      status: 'upheld',
      decision: {
        outcome: 'revoke',
        decidedAt: Date.parse('2026-12-01T11:00:00Z'),
        order: 'o1',
        prefixes: ['203.0.113.7/32'],
        revokedBy: { 'sky-it': 1 },
      },
    },
    {
      id: 'c3',
      filedAt: Date.parse('2026-12-01T08:00:00Z'),
      status: 'rejected',
      decision: { outcome: 'reject', decidedAt: Date.parse('2026-12-01T11:00:00Z') },
    },
  ],
  isps: [
    { isp: 'isp-a', expected: 4, onTime: 3, late: 1, missing: 0 },
    { isp: 'isp-b', expected: 0, onTime: 0, late: 0, missing: 0 },
  ],
}

t.test('enforced now is counted per order, an entry once per order it is enforced under', async (t) => {
  const report = transparencyReport(base)
  t.same(
    report.orders.map((o) => [o.id, o.status, o.enforcedNow]),
    [
      ['o1', 'in-force', 2],
      ['o2', 'suspended', 2],
    ],
  )
  t.equal(report.enforcedNow, 3, 'the total counts each entry once')
})

t.test(
  'per week and rightsholder: listed (with hot additions), held, rejected, revoked after complaints',
  async (t) => {
    const report = transparencyReport(base)
    t.same(report.weeks, [
      {
        week: '2026-W49',
        rightsholder: 'sky-it',
        listed: 13,
        held: 2,
        rejected: 1,
        revokedAfterComplaints: 1,
      },
      {
        week: '2026-W48',
        rightsholder: 'sky-it',
        listed: 5,
        held: 0,
        rejected: 0,
        revokedAfterComplaints: 0,
      },
    ])
  },
)

t.test('complaints: filed, open, upheld, rejected and the median time to a decision', async (t) => {
  const report = transparencyReport(base)
  t.same(report.complaints, { filed: 3, open: 1, upheld: 1, rejected: 1, medianDecisionMs: 2 * 3_600_000 })
  t.same(
    report.decisions.map((d) => [d.complaint, d.outcome, d.revokedPrefixes]),
    [
      ['c2', 'revoke', 1],
      ['c3', 'reject', 0],
    ],
  )
})

t.test('on-time rate per ISP over the revisions it answered for; none expected gives no rate', async (t) => {
  const report = transparencyReport(base)
  t.same(
    report.isps.map((i) => [i.isp, i.onTimeRate]),
    [
      ['isp-a', 0.75],
      ['isp-b', null],
    ],
  )
})

t.test('nothing in the report is a list entry: only counts leave', async (t) => {
  t.notMatch(JSON.stringify(transparencyReport(base)), /203\.0\.113/)
})

t.test('median of an odd and an even count, and of none', async (t) => {
  t.equal(median([5, 1, 3]), 3)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([]), null)
})
