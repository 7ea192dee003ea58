import t from 'tap'
import { ADMIN, EVIDENCE, publish, withLiveMatch } from '../../helper.js'

t.test(
  'the public transparency report counts orders, entries and complaints, and names no entry',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const upload = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: {
        entries: [
          { target: '203.0.113.7' },
          { target: '203.0.113.8' },
          { target: '198.51.100.0/23' },
          { target: '10.0.0.1' },
        ],
        evidence: EVIDENCE,
      },
    })
    t.match(upload.json(), { accepted: 2, held: [{}], rejected: [{}] })
    await publish(api)

    const filed = await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: { target: '203.0.113.8', contact: 'noc@example.net', reason: 'our shop shares it' },
    })
    await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: { target: '203.0.113.7', contact: 'noc@example.net', reason: 'mine too' },
    })
    const decided = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${filed.json().id}/decision`,
      payload: { outcome: 'revoke', reason: 'lawful shop', order: 'o1' },
    })
    t.equal(decided.statusCode, 200)
    await publish(api)
    const suspended = await api.call(ADMIN, { method: 'POST', url: '/v1/orders/o1/suspend' })
    t.equal(suspended.statusCode, 200)
    await api.call(ADMIN, { method: 'POST', url: '/v1/orders/o1/resume' })

    const report = await api.call(null, { method: 'GET', url: '/v1/public/transparency' })
    t.equal(report.statusCode, 200, 'public: no token')
    const body = report.json()
    t.match(body.orders, [
      {
        id: 'o1',
        reference: '123/26/DDA',
        rightsholder: { id: 'sky-it' },
        competitions: [{ id: 'serie-a', name: 'Serie A' }],
        status: 'in-force',
        enforcedNow: 1,
        suspensions: [{ from: /^\d{4}-/, until: /^\d{4}-/ }],
      },
    ])
    t.equal(body.enforcedNow, 1, 'one entry left enforced after the upheld complaint')
    t.match(body.weeks, [
      { week, rightsholder: 'sky-it', listed: 4, held: 1, rejected: 1, revokedAfterComplaints: 1 },
    ])
    t.match(body.complaints, { filed: 2, open: 1, upheld: 1, rejected: 0 })
    t.type(body.complaints.medianDecisionMs, 'number', 'the median time to a decision')
    t.match(body.decisions, [{ outcome: 'revoke', order: 'o1', reference: '123/26/DDA', revokedPrefixes: 1 }])
    t.notMatch(report.body, /203\.0\.113|198\.51\.100|10\.0\.0/, 'no list entry, held or not, appears')
    t.notMatch(report.body, /noc@example\.net|shop/, 'nor who complained or why')
  },
)
