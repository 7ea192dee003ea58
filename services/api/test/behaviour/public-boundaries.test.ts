// Spans the public look-up, complaints and revocations: what the public may see and file, and no more.
import t from 'tap'
import { ADMIN, actors, build, EVIDENCE, expectProblem, liveMatch, publish, type TestApi } from '../helper.js'

/** sky-it lists a /24 and a host, dazn (order o2) lists the same host; everything published. */
async function setUp(api: TestApi) {
  const tokens = await actors(api)
  const match = await liveMatch(api)
  await liveMatch(api, { order: 'o2', rightsholder: 'dazn' })
  for (const [token, rightsholder, entries] of [
    [tokens.rightsholder, 'sky-it', [{ target: '203.0.113.0/24' }, { target: '198.51.100.7' }]],
    [tokens.other, 'dazn', [{ target: '198.51.100.7' }]],
  ] as const) {
    const upload = await api.call(token, {
      method: 'PUT',
      url: `/v1/lists/${rightsholder}/${match.week}`,
      payload: { entries, evidence: EVIDENCE },
    })
    if (upload.statusCode !== 200) throw new Error(upload.body)
  }
  await publish(api)
  return { tokens, ...match }
}

const file = (api: TestApi, target: string) =>
  api.call(null, {
    method: 'POST',
    url: '/v1/complaints',
    payload: { target, contact: 'noc@example.net', reason: 'our lawful shop shares this host' },
  })

t.test('the public look-up refuses a prefix and answers one address with only what covers it', async (t) => {
  const api = await build(t)
  await setUp(api)
  for (const target of ['0.0.0.0/0', '203.0.113.0/24', '203.0.113.0/31', '2001:db8::/64']) {
    const res = await api.call(null, {
      method: 'GET',
      url: `/v1/public/lookup?target=${encodeURIComponent(target)}`,
    })
    t.equal(res.statusCode, 422, `${target} is refused`)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.match(res.json(), { code: 'OFFSIDE_TARGET_TOO_BROAD', field: 'target', reason: 'not-one-address' })
    t.notMatch(res.body, /198\.51\.100\.7|203\.0\.113\.0/, 'and reveals no entry')
  }
  const one = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=203.0.113.9' })
  t.match(one.json(), { blocked: true, matches: [{ prefix: '203.0.113.0/24' }] })
  t.notMatch(one.body, /198\.51\.100\.7/, 'the other entry stays unseen')
  const host = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=203.0.113.9%2F32' })
  t.equal(host.statusCode, 200, 'a /32 is one address')
})

t.test('a complaint names one address or a prefix no broader than the soft limit', async (t) => {
  const api = await build(t)
  for (const target of ['0.0.0.0/0', '203.0.112.0/23', '2001:db8::/32']) {
    const res = await file(api, target)
    t.equal(res.statusCode, 422, `${target} is refused`)
    t.match(res.json(), {
      code: 'OFFSIDE_TARGET_TOO_BROAD',
      field: 'target',
      reason: 'broader-than-soft-limit',
    })
  }
  t.equal((await api.call(ADMIN, { method: 'GET', url: '/v1/complaints' })).json().total, 0, 'none stored')
  for (const target of ['203.0.113.7', '203.0.113.0/24', '2001:db8:1::/48']) {
    t.equal((await file(api, target)).statusCode, 201, `${target} is accepted`)
  }
})

t.test(
  'a decision revokes only inside the complaint and its preview shows exactly what it lifts',
  async (t) => {
    const api = await build(t)
    await setUp(api)
    const id = (await file(api, '203.0.113.80')).json().id as string
    const outside = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: { outcome: 'revoke', reason: 'x', prefixes: ['0.0.0.0/0'] },
    })
    t.equal(outside.statusCode, 422, 'a revocation broader than the complaint is refused')
    t.match(outside.json(), {
      code: 'OFFSIDE_INVALID_INPUT',
      field: 'prefixes[0]',
      reason: 'outside-complaint',
    })
    const preview = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${id}/preview`,
      payload: { outcome: 'revoke', reason: 'shared host' },
    })
    t.equal(preview.statusCode, 200, preview.body)
    t.same(
      preview
        .json()
        .lifts.map((l: { prefix: string; entry: string; orders: string[] }) => [l.prefix, l.entry, l.orders]),
      [['203.0.113.80', '203.0.113.0/24', ['o1']]],
      'the preview lifts the one address, cut from the /24 of order o1',
    )
    t.equal(
      (await api.call(ADMIN, { method: 'GET', url: `/v1/complaints/${id}` })).json().status,
      'open',
      'a preview decides nothing',
    )
    const decided = await api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: { outcome: 'revoke', reason: 'shared host' },
    })
    t.equal(decided.statusCode, 200, decided.body)
    t.same(decided.json().lifts, preview.json().lifts, 'the decision lifts what the preview showed')
    t.equal(decided.json().liftsTotal, 1)
    await publish(api)
    const lookup = (target: string) =>
      api.call(null, { method: 'GET', url: `/v1/public/lookup?target=${target}` })
    t.match((await lookup('203.0.113.80')).json(), { blocked: false })
    t.match((await lookup('203.0.113.81')).json(), { blocked: true }, 'the rest of the /24 stays blocked')
    t.match((await lookup('198.51.100.7')).json(), { blocked: true }, 'other entries stay blocked')
  },
)

t.test('a revocation limited to one order shows the address still blocked by the other', async (t) => {
  const api = await build(t)
  await setUp(api)
  const id = (await file(api, '198.51.100.7')).json().id as string
  const preview = await api.call(ADMIN, {
    method: 'POST',
    url: `/v1/complaints/${id}/preview`,
    payload: { outcome: 'revoke', reason: 'x', order: 'o1' },
  })
  t.match(preview.json().lifts, [{ prefix: '198.51.100.7', orders: ['o1'], stillBlockedBy: ['o2'] }])
})

t.test('of two concurrent decisions on one complaint, one wins and the other gets 409', async (t) => {
  const api = await build(t)
  await setUp(api)
  const id = (await file(api, '203.0.113.80')).json().id as string
  const decide = (outcome: string) =>
    api.call(ADMIN, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: { outcome, reason: `decided ${outcome}` },
    })
  const answers = await Promise.all([decide('revoke'), decide('reject'), decide('revoke'), decide('reject')])
  const codes = answers.map((a) => a.statusCode).sort()
  t.same(codes, [200, 409, 409, 409], 'exactly one decision commits')
  const winner = answers.find((a) => a.statusCode === 200)!.json()
  for (const loser of answers.filter((a) => a.statusCode === 409))
    t.match(loser.json(), { code: 'OFFSIDE_CONFLICT' })
  const stored = (await api.call(ADMIN, { method: 'GET', url: `/v1/complaints/${id}` })).json()
  t.equal(stored.decision.reason, winner.decision.reason, 'the stored decision is the winner')
  const revocations = await api.redis.hlen('offside:revocations')
  t.equal(revocations, winner.status === 'upheld' ? 1 : 0, "no loser's revocation is written")
})

t.test("a rightsholder asking about another's order gets the same answer as for a missing one", async (t) => {
  const api = await build(t)
  const { tokens } = await setUp(api)
  const other = await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/orders/o2' })
  const missing = await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/orders/o-missing' })
  t.equal(other.statusCode, 404)
  t.equal(missing.statusCode, 404)
  t.equal(other.json().code, missing.json().code)
  t.equal(
    other.json().detail.replace('o2', 'ID'),
    missing.json().detail.replace('o-missing', 'ID'),
    'same words',
  )
  t.equal((await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/orders/o1' })).statusCode, 200)
  for (const url of [
    '/v1/lists/dazn/2026-W01',
    '/v1/lists/nobody/2026-W01',
    '/v1/guard/reporters/dazn',
    '/v1/guard/reporters/nobody',
  ]) {
    t.equal(
      (await api.call(tokens.rightsholder, { method: 'GET', url })).statusCode,
      403,
      `${url}: 403 whether it exists or not`,
    )
  }
})

t.test('the complaints list is paginated', async (t) => {
  const api = await build(t)
  for (let i = 1; i <= 5; i++) await file(api, `203.0.113.${i}`)
  const page = await api.call(ADMIN, { method: 'GET', url: '/v1/complaints?limit=2&offset=1' })
  t.equal(page.json().total, 5)
  t.same(
    page.json().complaints.map((c: { target: string }) => c.target),
    ['203.0.113.2', '203.0.113.3'],
  )
  expectProblem(
    t,
    await api.call(ADMIN, { method: 'GET', url: '/v1/complaints?limit=5000' }),
    400,
    'OFFSIDE_VALIDATION',
    'refused',
  )
})
