import { Writable } from 'node:stream'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import { ADMIN, actors, build, expectProblem, orgWithToken } from '../../helper.js'

t.test('the authority creates organisations and tokens; a token works until it is revoked', async (t) => {
  const api = await build(t)
  const org = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/orgs',
    payload: { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' },
  })
  t.equal(org.statusCode, 201, 'organisation created')
  t.match(org.json(), { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' }, 'as given')
  const dup = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/orgs',
    payload: { id: 'sky-it', kind: 'rightsholder', name: 'again' },
  })
  t.match(dup.json(), { status: 409, field: 'id' }, 'an existing id is a conflict')
  const issued = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/tokens',
    payload: { org: 'sky-it', role: 'rightsholder' },
  })
  t.equal(issued.statusCode, 201, 'token issued')
  const { token, id } = issued.json()
  const me = await api.call(token, { method: 'GET', url: '/v1/whoami' })
  t.match(
    me.json(),
    { org: 'sky-it', role: 'rightsholder', tokenId: id },
    'the token speaks for its organisation and role',
  )
  const stored = JSON.stringify(await api.redis.hgetall(`${api.config.keyPrefix}tokens`))
  t.notOk(stored.includes(token), 'Redis holds no token, only its hash')
  const listed = await api.call(ADMIN, { method: 'GET', url: '/v1/tokens?org=sky-it' })
  t.same(
    listed.json().tokens.map((k: { id: string; org: string; role: string }) => [k.id, k.org, k.role]),
    [[id, 'sky-it', 'rightsholder']],
    'the authority lists the org’s one token',
  )
  t.notOk(listed.body.includes(token) || listed.body.includes('hash'), 'without the token or its hash')
  const revoked = await api.call(ADMIN, { method: 'DELETE', url: `/v1/tokens/${id}` })
  t.ok(revoked.json().revokedAt, 'revoked')
  t.equal(
    (await api.call(token, { method: 'GET', url: '/v1/whoami' })).statusCode,
    401,
    'a revoked token is refused',
  )
  const wrongRole = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/tokens',
    payload: { org: 'sky-it', role: 'ops' },
  })
  t.match(wrongRole.json(), { status: 422, field: 'role' }, "a token's role must be its organisation's kind")
  const noOrg = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/tokens',
    payload: { org: 'nobody', role: 'isp' },
  })
  t.match(noOrg.json(), { status: 422, field: 'org' }, 'tokens need an existing organisation')
  const badKind = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/orgs',
    payload: { id: 'x', kind: 'pirate', name: 'x' },
  })
  t.match(badKind.json(), { status: 400, field: 'kind' }, 'an unknown kind is refused')
})

t.test('only the authority manages identities; everyone else is refused', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  for (const role of ['rightsholder', 'isp', 'ops'] as const) {
    const org = await api.call(tokens[role], {
      method: 'POST',
      url: '/v1/orgs',
      payload: { id: `by-${role}`, kind: 'isp', name: 'x' },
    })
    expectProblem(t, org, 403, 'OFFSIDE_FORBIDDEN', `a ${role} cannot create organisations`)
    t.match(org.headers['content-type'], /problem\+json/, 'refusals are problem+json')
    const token = await api.call(tokens[role], {
      method: 'POST',
      url: '/v1/tokens',
      payload: { org: 'isp-a', role: 'isp' },
    })
    expectProblem(t, token, 403, 'OFFSIDE_FORBIDDEN', `a ${role} cannot issue tokens`)
  }
  t.equal(
    (await api.call(tokens.ops, { method: 'GET', url: '/v1/orgs' })).statusCode,
    200,
    'ops read the organisations',
  )
  expectProblem(
    t,
    await api.call(null, { method: 'GET', url: '/v1/orgs' }),
    401,
    'OFFSIDE_UNAUTHORIZED',
    'no token is 401',
  )
  t.equal(
    (await api.call('ofs_not-a-token', { method: 'GET', url: '/v1/orgs' })).statusCode,
    401,
    'an unknown token is 401',
  )
  const malformed = await api.app.inject({
    method: 'GET',
    url: '/v1/orgs',
    headers: { authorization: 'Basic abc' },
  })
  expectProblem(t, malformed, 401, 'OFFSIDE_UNAUTHORIZED', 'a non-bearer header is 401')
  const second = await orgWithToken(api, 'isp-b', 'isp')
  t.equal(
    (await api.call(second, { method: 'GET', url: '/v1/whoami' })).json().org,
    'isp-b',
    'each token is scoped to its own org',
  )
})

t.test('tokens never reach the logs', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  let logged = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk.toString()
      done()
    },
  })
  const app = await buildApp({
    // The production logger (its redaction included), only written to a buffer at trace level.
    config: testConfig({ redisUrl: server.url, adminToken: ADMIN, logLevel: 'trace' }),
    redis,
    logStream: stream,
  })
  t.teardown(async () => {
    await app.close()
    redis.disconnect()
  })
  await app.inject({ method: 'GET', url: '/v1/orgs', headers: { authorization: `Bearer ${ADMIN}` } })
  const created = await app.inject({
    method: 'POST',
    url: '/v1/orgs',
    headers: { authorization: `Bearer ${ADMIN}` },
    payload: { id: 'isp-a', kind: 'isp', name: 'ISP A' },
  })
  t.equal(created.statusCode, 201, 'request served')
  const token = (
    await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { org: 'isp-a', role: 'isp' },
    })
  ).json().token
  t.ok(logged.length > 0, 'something was logged at trace level')
  t.notOk(logged.includes(ADMIN), 'the admin token is not in the logs')
  t.notOk(logged.includes(token), 'an issued token is not in the logs')
})
