import { orgWithToken, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, expectStatus, putEvent, putList, seasonOf, weekOf } from './scenario.js'

t.test('changes during a live window reach the agent at once', async (t) => {
  const stack = await startStack(t, { env: e2eEnv() })
  const now = Date.now()
  const { sky, isp } = await baseData(stack, now)
  const dazn = await orgWithToken(stack.api, 'dazn', 'rightsholder')
  expectStatus(
    await stack.api.request('PUT', '/v1/orders/o2', {
      rightsholder: 'dazn',
      competitions: ['serie-a'],
      season: seasonOf(now),
      reference: '456/26/DDA',
    }),
    200,
    'second order',
  )
  await stack.start('scheduler')
  const gateway = await stack.start('gateway')
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })

  const kickoff = Date.now() + 1500
  await putEvent(stack, 'm1', kickoff, kickoff + 120_000)
  // 203.0.113.7 is listed by both rightsholders; 203.0.113.8 by sky-it only.
  await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7', '203.0.113.8'])
  await putList(stack, dazn, 'dazn', kickoff, ['203.0.113.7'])
  const live = await waitFor(agent.status, (s) => s.prefixes.length === 2, 8000)
  t.same(live.prefixes, ['203.0.113.7/32', '203.0.113.8/32'], 'the window is live with both lists')

  await t.test('a hot addition during the live window reaches the agent', async (t) => {
    const res = await stack.api.as(sky).request('POST', `/v1/lists/sky-it/${weekOf(kickoff)}/entries`, {
      entries: [{ target: '198.51.100.23', evidence: `sha256:${'cd'.repeat(32)}` }],
    })
    t.equal(res.status < 300, true, `hot addition accepted (${res.status})`)
    const status = await waitFor(agent.status, (s) => s.prefixes.includes('198.51.100.23/32'), 3000)
    t.ok(status.prefixes.includes('198.51.100.23/32'), 'enforced by the agent')
  })

  await t.test('an upheld complaint removes the prefix from the agent', async (t) => {
    const filed = await stack.api.as(null).request('POST', '/v1/complaints', {
      target: '198.51.100.23',
      contact: 'noc@example.net',
      reason: 'shared hosting, our lawful site is on this address',
    })
    expectStatus(filed, 201, 'complaint')
    const decided = await stack.api.request('POST', `/v1/complaints/${filed.body.id}/decision`, {
      outcome: 'revoke',
      reason: 'lawful service confirmed',
    })
    expectStatus(decided, 200, 'decision')
    const status = await waitFor(agent.status, (s) => !s.prefixes.includes('198.51.100.23/32'), 3000)
    t.notOk(status.prefixes.includes('198.51.100.23/32'), 'no longer enforced')
    t.ok(status.prefixes.includes('203.0.113.8/32'), 'the rest stays enforced')
  })

  await t.test(
    'suspending one of two orders listing a prefix keeps it; suspending both removes it',
    async (t) => {
      expectStatus(await stack.api.request('POST', '/v1/orders/o1/suspend', {}), 200, 'suspend o1')
      const afterOne = await waitFor(agent.status, (s) => !s.prefixes.includes('203.0.113.8/32'), 3000)
      t.notOk(afterOne.prefixes.includes('203.0.113.8/32'), 'the entry only o1 justified is gone')
      t.ok(afterOne.prefixes.includes('203.0.113.7/32'), 'the entry o2 also justifies stays enforced')
      expectStatus(await stack.api.request('POST', '/v1/orders/o2/suspend', {}), 200, 'suspend o2')
      const afterBoth = await waitFor(agent.status, (s) => s.prefixes.length === 0, 3000)
      t.same(afterBoth.prefixes, [], 'nothing enforced once both orders are suspended')
      t.equal(afterBoth.rejected, 0, 'the agent refused nothing along the way')
    },
  )
})
