import { sleep, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, expectStatus, putEvent, putList, seasonOf, weekOf } from './scenario.js'

const EVIDENCE = `sha256:${'ab'.repeat(32)}`
const host = (prefix: string) => prefix.replace(/\/32$/, '')

t.test(
  'Redis SIGKILLed mid-window with appendfsync always: every write answered 2xx before the kill is there after the restart, and agents resume with no manual step',
  async (t) => {
    const stack = await startStack(t, { env: e2eEnv(), redisOptions: { appendfsync: 'always' } })
    const server = stack.redisServer
    if (!server) throw new Error('a standalone Redis is needed')
    const now = Date.now()
    const { sky, isp } = await baseData(stack, now)
    await stack.start('scheduler')
    const gateway = await stack.start('gateway')
    const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })
    const ops = await (async () => {
      const org = await stack.api.request('POST', '/v1/orgs', { id: 'ops-tf', kind: 'ops', name: 'ops' })
      expectStatus(org, 201, 'ops org')
      const token = await stack.api.request('POST', '/v1/tokens', { org: 'ops-tf', role: 'ops' })
      return token.body.token as string
    })()

    const kickoff = Date.now() + 1_000
    await putEvent(stack, 'm1', kickoff, kickoff + 120_000)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7', '203.0.113.8', '203.0.113.9'])
    const week = weekOf(kickoff)
    const live = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.7/32'), 15_000)
    t.ok(live.prefixes.includes('203.0.113.7/32'), 'the window is live at the agent')

    // Every kind of acknowledged write, the last one just before the kill.
    expectStatus(
      await stack.api.as(sky).request('POST', `/v1/lists/sky-it/${week}/entries`, {
        entries: [{ target: '203.0.113.20' }],
        evidence: EVIDENCE,
      }),
      200,
      'hot addition',
    )
    expectStatus(
      await stack.api.request('PUT', '/v1/orders/o2', {
        rightsholder: 'sky-it',
        competitions: ['serie-a'],
        season: seasonOf(now),
        reference: '124/26/DDA',
      }),
      200,
      'order',
    )
    expectStatus(await stack.api.request('POST', '/v1/orders/o2/suspend', {}), 200, 'order suspended')
    expectStatus(
      await stack.api.as(ops).request('PUT', '/v1/guard/protected', {
        ranges: [{ prefix: '192.0.2.0/28', name: 'Example shared hosting' }],
      }),
      200,
      'protected ranges',
    )
    const filed = await stack.api.as(null).request('POST', '/v1/complaints', {
      target: '203.0.113.8',
      contact: 'noc@example.net',
      reason: 'a lawful service shares this server',
    })
    expectStatus(filed, 201, 'complaint')
    const decided = await stack.api.request('POST', `/v1/complaints/${filed.body.id}/decision`, {
      outcome: 'revoke',
      prefixes: ['203.0.113.8'],
      reason: 'shared hosting',
    })
    expectStatus(decided, 200, 'complaint decision')
    const auditBefore = (await stack.api.request('GET', '/v1/audit/verify')).body

    await server.kill()
    t.pass('Redis SIGKILLed right after the last acknowledged write')
    // The agent keeps enforcing through the outage, by its own clock.
    await sleep(1_500)
    t.ok((await agent.status()).prefixes.includes('203.0.113.7/32'), 'the agent enforces while Redis is down')
    await server.restart()

    const entries = await waitFor(
      () => stack.api.request('GET', `/v1/lists/sky-it/${week}/entries`),
      (res) => res.status === 200,
      20_000,
    )
    t.same(
      entries.body.entries.map((e: { target: string }) => e.target).sort(),
      ['203.0.113.20', '203.0.113.7', '203.0.113.8', '203.0.113.9'],
      'the upload and the hot addition are there',
    )
    const order = await stack.api.request('GET', '/v1/orders/o2')
    t.equal(order.body.suspended, true, 'the order and its suspension are there')
    const ranges = await stack.api.as(ops).request('GET', '/v1/guard/protected')
    t.ok(
      ranges.body.ranges.some((r: { prefix: string }) => r.prefix === '192.0.2.0/28'),
      'the protected range is there',
    )
    const complaint = await stack.api.request('GET', `/v1/complaints/${filed.body.id}`)
    t.equal(complaint.body.status, decided.body.status, 'the complaint and its decision are there')
    const auditAfter = (await stack.api.request('GET', '/v1/audit/verify')).body
    t.same(
      { ok: auditAfter.ok, checked: auditAfter.checked },
      { ok: true, checked: auditBefore.checked },
      'the audit chain verifies with every record written before the kill',
    )

    // No manual step: a new hot addition reaches the agent through the same processes.
    expectStatus(
      await waitFor(
        () =>
          stack.api.as(sky).request('POST', `/v1/lists/sky-it/${week}/entries`, {
            entries: [{ target: '203.0.113.30' }],
            evidence: EVIDENCE,
          }),
        (res) => res.status === 200,
        20_000,
      ),
      200,
      'hot addition after the restart',
    )
    const resumed = await waitFor(
      agent.status,
      (s) => s.connected && s.prefixes.includes('203.0.113.30/32'),
      30_000,
    )
    t.ok(resumed.prefixes.includes('203.0.113.30/32'), 'the agent enforces what came after the restart')
    t.notOk(resumed.prefixes.map(host).includes('203.0.113.8'), 'and not the address the complaint lifted')
    t.ok(resumed.prefixes.includes('203.0.113.7/32'), 'and still the rest of the list')
    t.equal(resumed.gaps + resumed.rejected, 0, 'with no gap and nothing rejected')
  },
)
