import t from 'tap'
import { ADMIN, actors, build, EVIDENCE, expectProblem, liveMatch, publish } from '../../helper.js'

const party = (role: string, channel: object, org?: string) => ({
  name: role,
  role,
  channel,
  ...(org ? { org } : {}),
})

t.test(
  'an order issued, suspended, resumed and partly revoked is notified to each of its parties',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const put = (id: string, body: object) =>
      api.call(ADMIN, { method: 'PUT', url: `/v1/parties/${id}`, payload: body })
    t.equal(
      (await put('isp-a', party('isp', { kind: 'email', address: 'pec@isp-a.example' }))).statusCode,
      200,
    )
    await put(
      'search',
      party('search-engine', { kind: 'webhook', url: 'https://hooks.search.example/offside' }),
    )
    await put('iru', party('europol-iru', { kind: 'email', address: 'iru@europol.example' }))
    await put('sky', party('rightsholder', { kind: 'email', address: 'legal@sky.example' }, 'sky-it'))
    await put('dazn', party('rightsholder', { kind: 'email', address: 'legal@dazn.example' }, 'dazn'))

    const { week } = await liveMatch(api)
    const notices = async (query = '') =>
      (await api.call(ADMIN, { method: 'GET', url: `/v1/notices?order=o1${query}` })).json().notices as {
        kind: string
        party: string
        status: string
        subject: string
      }[]
    const issued = (await notices()).filter((n) => n.kind === 'order-issued')
    t.same(
      issued.map((n) => n.party).sort(),
      ['iru', 'isp-a', 'search', 'sky'],
      'ISPs, search engines, the IRU and its own rightsholder',
    )
    t.ok(issued.every((n) => n.status === 'pending' && n.subject === 'Blocking order 123/26/DDA issued'))

    await api.call(ADMIN, { method: 'POST', url: '/v1/orders/o1/suspend', payload: { reason: 'review' } })
    await api.call(ADMIN, { method: 'POST', url: '/v1/orders/o1/resume' })
    await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
    })
    await publish(api)
    const filed = await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: { target: '203.0.113.7', contact: 'noc@example.net', reason: 'lawful shop' },
    })
    await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${filed.json().id}/decision`,
      payload: { outcome: 'revoke', reason: 'lawful shop' },
    })
    const kinds = (await notices()).map((n) => n.kind)
    for (const kind of ['order-suspended', 'order-resumed', 'order-partly-revoked']) {
      t.equal(kinds.filter((k) => k === kind).length, 4, `${kind}: one notice per party`)
    }
    const audit = await api.call(ADMIN, { method: 'GET', url: '/v1/audit?limit=1000' })
    t.ok(
      audit.json().records.filter((r: { action: string }) => r.action === 'notice.file').length >= 16,
      'every notice filed is audited',
    )
  },
)

t.test('parties and notices are the authority’s; bad channels are refused and change nothing', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  const bad = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/parties/x',
    payload: party('isp', { kind: 'webhook', url: 'ftp://files.example' }),
  })
  expectProblem(t, bad, 422, 'OFFSIDE_INVALID_INPUT', 'refused')
  t.match(bad.json(), { field: 'channel.url' })
  const noAt = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/parties/x',
    payload: party('isp', { kind: 'email', address: 'not-an-address' }),
  })
  expectProblem(t, noAt, 400, 'OFFSIDE_VALIDATION', 'refused')
  t.same(
    (await api.call(ADMIN, { method: 'GET', url: '/v1/parties' })).json(),
    { parties: [] },
    'nothing stored',
  )
  expectProblem(
    t,
    await api.call(tokens.isp, { method: 'GET', url: '/v1/notices' }),
    403,
    'OFFSIDE_FORBIDDEN',
    'refused',
  )
  expectProblem(
    t,
    await api.call(ADMIN, { method: 'GET', url: '/v1/notices?order=nope' }),
    404,
    'OFFSIDE_NOT_FOUND',
    'refused',
  )
})

t.test(
  'a hosting provider is registered with the autonomous systems it answers for; no other role may be',
  async (t) => {
    const api = await build(t)
    const channel = { kind: 'email', address: 'abuse@ovh.example' }
    const ovh = await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/parties/ovh',
      payload: { name: 'OVH abuse', role: 'hosting-provider', asns: [16276], channel },
    })
    t.equal(ovh.statusCode, 200)
    t.match(ovh.json(), { id: 'ovh', role: 'hosting-provider', asns: [16276] })
    const isp = await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/parties/isp-a',
      payload: { name: 'ISP A', role: 'isp', asns: [64500], channel },
    })
    t.equal(isp.statusCode, 422)
    t.match(isp.json(), { code: 'OFFSIDE_INVALID_INPUT', field: 'asns', reason: 'not-a-hosting-provider' })
    t.same(
      (await api.call(ADMIN, { method: 'GET', url: '/v1/parties' }))
        .json()
        .parties.map((p: { id: string }) => p.id),
      ['ovh'],
      'the refused party is not stored',
    )
  },
)
