import t from 'tap'
import {
  ADMIN,
  actors,
  build,
  EVIDENCE,
  expectProblem,
  liveMatch,
  publish,
  type TestApi,
} from '../../helper.js'

async function setUp(api: TestApi) {
  const tokens = await actors(api)
  const match = await liveMatch(api)
  const upload = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${match.week}`,
    payload: { entries: [{ target: '203.0.113.0/24' }, { target: '198.51.100.7' }], evidence: EVIDENCE },
  })
  if (upload.statusCode !== 200) throw new Error(upload.body)
  return { tokens, ...match }
}

/** The public look-up, once the scheduler has published every change made so far. */
const lookup = async (api: TestApi, target: string) => {
  await publish(api)
  return api.call(null, { method: 'GET', url: `/v1/public/lookup?target=${encodeURIComponent(target)}` })
}

t.test(
  'a complaint filed publicly and upheld as a partial revocation unblocks that address only',
  async (t) => {
    const api = await build(t)
    const { tokens } = await setUp(api)
    const before = await lookup(api, '203.0.113.80')
    t.equal(before.statusCode, 200, 'the public look-up needs no token')
    t.match(
      before.json(),
      {
        blocked: true,
        matches: [{ prefix: '203.0.113.0/24', orders: [{ id: 'o1', reference: '123/26/DDA' }] }],
      },
      'blocked, under which order',
    )
    t.match(before.json().matches[0].until, /^\d{4}-\d\d-\d\dT/, 'says until when')
    t.match(before.json().complain, { method: 'POST', url: '/v1/complaints' }, 'says how to complain')
    t.notMatch(before.body, /198\.51\.100\.7/, 'does not reveal the rest of the list')

    const filed = await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: {
        target: '203.0.113.80',
        contact: 'noc@example.net',
        reason: 'our lawful shop shares this host',
      },
    })
    t.equal(filed.statusCode, 201, 'filed without a token')
    const id = filed.json().id as string
    t.equal(
      (await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/complaints' })).statusCode,
      403,
      'a rightsholder cannot list complaints',
    )
    const listed = await api.call(ADMIN, { method: 'GET', url: '/v1/complaints?status=open' })
    t.match(
      listed.json().complaints,
      [{ id, target: '203.0.113.80', status: 'open', contact: 'noc@example.net' }],
      'the authority sees it',
    )
    t.equal(
      (await api.call(tokens.ops, { method: 'GET', url: `/v1/complaints/${id}` })).statusCode,
      200,
      'ops read complaints',
    )

    const decision = {
      outcome: 'revoke',
      reason: 'shared hosting, lawful service',
      prefixes: ['203.0.113.80'],
    }
    t.equal(
      (
        await api.call(tokens.ops, {
          method: 'POST',
          url: `/v1/complaints/${id}/decision`,
          payload: decision,
        })
      ).statusCode,
      403,
      'ops cannot decide complaints',
    )
    const decided = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: decision,
    })
    t.equal(decided.statusCode, 200, `decided: ${decided.body}`)
    t.match(
      decided.json(),
      {
        status: 'upheld',
        decision: { outcome: 'revoke', prefixes: ['203.0.113.80/32'], decidedBy: 'authority' },
      },
      'upheld',
    )
    t.match(
      (await lookup(api, '203.0.113.80')).json(),
      { blocked: false, matches: [] },
      'the address is no longer blocked',
    )
    t.match((await lookup(api, '203.0.113.81')).json(), { blocked: true }, 'its neighbours still are')
    const counters = await api.call(ADMIN, { method: 'GET', url: '/v1/guard/reporters/sky-it' })
    t.equal(counters.json().revoked, 1, "the revocation counts against the rightsholder's record")
    const twice = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: decision,
    })
    expectProblem(t, twice, 409, 'OFFSIDE_CONFLICT', 'a decided complaint cannot be decided again')
  },
)

t.test(
  'a complaint upheld by suspending the order lifts every block of that order; a rejected one changes nothing',
  async (t) => {
    const api = await build(t)
    await setUp(api)
    const file = async (target: string) =>
      (
        await api.call(null, {
          method: 'POST',
          url: '/v1/complaints',
          payload: { target, contact: 'abuse@example.org', reason: 'overblocking' },
        })
      ).json().id
    const first = await file('198.51.100.7')
    const rejected = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${first}/decision`,
      payload: { outcome: 'reject', reason: 'the server streams matches' },
    })
    t.equal(rejected.json().status, 'rejected', 'rejected with a reason')
    t.match(
      (await lookup(api, '198.51.100.7')).json(),
      { blocked: true },
      'a rejected complaint changes nothing',
    )
    const second = await file('198.51.100.7')
    const noOrder = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${second}/decision`,
      payload: { outcome: 'suspend-order', reason: 'x' },
    })
    t.match(noOrder.json(), { status: 422, field: 'order' }, 'suspend-order names the order')
    const suspended = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${second}/decision`,
      payload: { outcome: 'suspend-order', order: 'o1', reason: 'order overreaches' },
    })
    t.equal(suspended.json().status, 'upheld', 'upheld')
    t.match((await lookup(api, '203.0.113.5')).json(), { blocked: false }, 'the whole order is lifted')
    const order = await api.call(ADMIN, { method: 'GET', url: '/v1/orders/o1' })
    t.equal(order.json().suspended, true, 'the order is suspended')
  },
)

t.test('public complaints are rate-limited, size-bounded and validated', async (t) => {
  const api = await build(t, { publicRateLimit: 3, publicBodyLimit: 512 })
  const payload = { target: '203.0.113.80', contact: 'noc@example.net', reason: 'lawful' }
  const statuses: number[] = []
  for (let i = 0; i < 4; i++)
    statuses.push((await api.call(null, { method: 'POST', url: '/v1/complaints', payload })).statusCode)
  t.same(statuses, [201, 201, 201, 429], 'the fourth complaint in a minute is refused')
  const limited = await api.call(null, { method: 'POST', url: '/v1/complaints', payload })
  t.match(limited.headers['content-type'], /problem\+json/, '429 is problem+json')
  t.equal(limited.json().code, 'OFFSIDE_RATE_LIMITED', 'naming the refusal with a code')
  let lookups = 0
  for (let i = 0; i < 4; i++) if ((await lookup(api, '203.0.113.80')).statusCode === 429) lookups++
  t.equal(lookups, 1, 'the public look-up is rate-limited too')

  const other = await build(t, { publicBodyLimit: 512 })
  const big = await other.call(null, {
    method: 'POST',
    url: '/v1/complaints',
    payload: { ...payload, reason: 'x'.repeat(2000) },
  })
  expectProblem(t, big, 413, 'OFFSIDE_PAYLOAD_TOO_LARGE', 'an oversize complaint is 413')
  const badTarget = await other.call(null, {
    method: 'POST',
    url: '/v1/complaints',
    payload: { ...payload, target: 'not_a_name.example' },
  })
  t.match(
    badTarget.json(),
    { status: 422, field: 'target', reason: 'name-label-invalid' },
    'a target that is neither an address nor a name is refused',
  )
  const extra = await other.call(null, {
    method: 'POST',
    url: '/v1/complaints',
    payload: { ...payload, admin: true },
  })
  t.match(
    extra.json(),
    { status: 400, field: 'admin', reason: 'unknown field' },
    'unknown fields are refused',
  )
  const badLookup = await other.call(null, { method: 'GET', url: '/v1/public/lookup?target=not-an-ip' })
  t.match(badLookup.json(), { status: 422, field: 'target' }, 'a bad look-up target is refused')
})
