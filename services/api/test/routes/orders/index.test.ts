import t from 'tap'
import {
  ADMIN,
  actors,
  build,
  EVIDENCE,
  expectProblem,
  publish,
  seasonOf,
  withLiveMatch,
} from '../../helper.js'

t.test('the authority issues, suspends and resumes an order; suspension lifts its blocks', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
  })
  // What agents enforce once the scheduler has published the change.
  const enforced = async () => {
    await publish(api)
    return (await api.call(ADMIN, { method: 'GET', url: '/v1/state' })).json().enforced
  }
  t.equal(await enforced(), 1, 'enforced under the order')
  t.equal(
    (await api.call(tokens.ops, { method: 'POST', url: '/v1/orders/o1/suspend' })).statusCode,
    403,
    'ops cannot suspend',
  )
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'POST', url: '/v1/orders/o1/suspend' })).statusCode,
    403,
    'a rightsholder cannot suspend',
  )
  const suspended = await api.call(ADMIN, {
    method: 'POST',
    url: '/v1/orders/o1/suspend',
    payload: { reason: 'under review' },
  })
  t.equal(suspended.json().suspended, true, 'suspended')
  t.equal(await enforced(), 0, 'a suspended order enforces nothing')
  const resumed = await api.call(ADMIN, { method: 'POST', url: '/v1/orders/o1/resume' })
  t.equal(resumed.json().suspended, false, 'resumed with no body')
  t.equal(await enforced(), 1, 'enforced again')
  const missing = await api.call(ADMIN, { method: 'POST', url: '/v1/orders/nope/suspend' })
  expectProblem(t, missing, 404, 'OFFSIDE_NOT_FOUND', 'an unknown order is 404')
})

t.test('orders are checked and read only by those entitled to them', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  await api.call(ADMIN, { method: 'PUT', url: '/v1/competitions/serie-a', payload: { name: 'Serie A' } })
  const season = seasonOf(Date.now())
  const base = { rightsholder: 'sky-it', competitions: ['serie-a'], season, reference: '123/26/DDA' }
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'PUT', url: '/v1/orders/o1', payload: base })).statusCode,
    403,
    'a rightsholder cannot issue orders',
  )
  t.equal(
    (await api.call(tokens.ops, { method: 'PUT', url: '/v1/orders/o1', payload: base })).statusCode,
    403,
    'ops cannot issue orders',
  )
  t.equal(
    (await api.call(ADMIN, { method: 'PUT', url: '/v1/orders/o1', payload: base })).statusCode,
    200,
    'the authority issues it',
  )
  t.match(
    (
      await api.call(ADMIN, {
        method: 'PUT',
        url: '/v1/orders/o2',
        payload: { ...base, rightsholder: 'isp-a' },
      })
    ).json(),
    { status: 422, field: 'rightsholder' },
    'only a rightsholder can hold an order',
  )
  t.match(
    (
      await api.call(ADMIN, {
        method: 'PUT',
        url: '/v1/orders/o2',
        payload: { ...base, competitions: ['liga'] },
      })
    ).json(),
    { status: 422, field: 'competitions[0]' },
    'competitions must exist',
  )
  t.match(
    (
      await api.call(ADMIN, { method: 'PUT', url: '/v1/orders/o2', payload: { ...base, season: '2026-29' } })
    ).json(),
    { status: 422, field: 'season' },
    'a season spans one year',
  )
  t.match(
    (
      await api.call(ADMIN, {
        method: 'PUT',
        url: '/v1/orders/o2',
        payload: { ...base, reference: undefined },
      })
    ).json(),
    { status: 400, field: 'reference' },
    'the legal reference is required',
  )
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/orders/o1' })).statusCode,
    200,
    'the rightsholder reads its own order',
  )
  t.equal(
    (await api.call(tokens.other, { method: 'GET', url: '/v1/orders/o1' })).statusCode,
    404,
    'another rightsholder cannot read it, nor learn that it exists',
  )
  t.same(
    (await api.call(tokens.other, { method: 'GET', url: '/v1/orders' })).json().orders,
    [],
    'and does not see it listed',
  )
  t.equal(
    (await api.call(tokens.isp, { method: 'GET', url: '/v1/orders' })).statusCode,
    403,
    'an ISP does not read orders',
  )
  t.equal(
    (await api.call(tokens.ops, { method: 'GET', url: '/v1/orders' })).json().orders.length,
    1,
    'ops read every order',
  )
})
