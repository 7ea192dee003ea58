import t from 'tap'
import { complianceRows, complianceStatus } from '../src/compliance.js'

const agent = { isp: 'isp-a', agentId: 'edge-1', firstSeenAt: 1_000 }
const reference = (revision: number, at: number, kind = 'window-open') => ({
  revision,
  kind,
  issuedAt: at,
  reference: at,
})

t.test(
  'an acknowledgement within the bound is on time, after it late; none past it is missing',
  async (t) => {
    t.equal(complianceStatus(5_000, 60_000, 5_000), 'on-time', 'exactly at the bound is on time')
    t.equal(complianceStatus(5_001, 60_000, 5_000), 'late', 'a millisecond past the bound is late')
    t.equal(complianceStatus(null, 5_001, 5_000), 'missing', 'no ack past the bound is missing')
    t.equal(complianceStatus(null, 4_000, 5_000), 'pending', 'no ack within the bound is pending')
  },
)

t.test('a later revision acknowledged counts for the earlier ones it covers', async (t) => {
  const rows = complianceRows(
    [reference(3, 20_000), reference(2, 10_000)],
    [agent],
    () => [{ revision: 3, receivedAt: 21_000 }],
    { lateMs: 5_000, now: 60_000 },
  )
  t.same(
    rows.map((row) => [row.revision, row.ackedAt, row.delayMs, row.status]),
    [
      [2, 21_000, 11_000, 'late'],
      [3, 21_000, 1_000, 'on-time'],
    ],
    'revision 2 is applied when 3 is acknowledged, so it is late, not missing',
  )
})

t.test('an agent answers only for revisions issued after it was first seen', async (t) => {
  const rows = complianceRows([reference(1, 500), reference(2, 2_000)], [agent], () => [], {
    lateMs: 5_000,
    now: 60_000,
  })
  t.same(
    rows.map((row) => [row.revision, row.status]),
    [[2, 'missing']],
    'revision 1 came before the agent existed',
  )
})
