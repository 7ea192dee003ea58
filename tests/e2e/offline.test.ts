import { sleep, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

const PREFIX = '203.0.113.7/32'

t.test('agents cut off from the control plane stop on time and catch up when back', async (t) => {
  const stack = await startStack(t, { env: e2eEnv(1000) })
  const { sky, isp } = await baseData(stack, Date.now())
  await stack.start('scheduler')
  let gateway = await stack.start('gateway')
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })

  await t.test('an agent offline past a window end has stopped enforcing at until by itself', async (t) => {
    // The window is long enough for the agent to take it and notice the gateway gone before its
    // end on a loaded machine (2.5 s was not, at load 20: the window closed first).
    const kickoff = Date.now() + 1500
    const end = kickoff + 7000
    await putEvent(stack, 'm1', kickoff, end)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
    const on = await waitFor(agent.status, (s) => s.prefixes.includes(PREFIX), 5000)
    t.ok(on.prefixes.includes(PREFIX), 'live')
    await gateway.kill() // the control plane is gone before the window closes
    const cutOff = await waitFor(agent.status, (s) => !s.connected, 5000)
    t.notOk(cutOff.connected, 'the agent knows it is disconnected')
    t.ok(Date.now() < end, 'and the window has not closed yet')
    const revision = cutOff.revision
    while (Date.now() < end + 1000 + 300) await sleep(50) // until = end + grace
    const after = await agent.status()
    t.notOk(after.prefixes.includes(PREFIX), 'nothing enforced after until')
    t.equal(after.revision, revision, 'without any revision from the control plane')
  })

  await t.test('an agent disconnected across an activation catches up on reconnect', async (t) => {
    const kickoff = Date.now() + 1500
    await putEvent(stack, 'm2', kickoff, kickoff + 60_000)
    while (Date.now() < kickoff + 1000) await sleep(50) // the window opened while the gateway was down
    t.notOk((await agent.status()).prefixes.includes(PREFIX), 'the agent could not know about m2')
    gateway = await stack.start('gateway', { port: gateway.port })
    const back = await waitFor(agent.status, (s) => s.prefixes.includes(PREFIX), 8000)
    t.ok(back.prefixes.includes(PREFIX), 'enforced once reconnected')
    t.equal(back.gaps + back.rejected, 0, 'the missed revisions arrived complete and in order')
    const report = await waitFor(
      () => stack.api.request('GET', '/v1/reports/compliance?lateMs=1000'),
      (res) =>
        res.body.notEnforcing?.rows?.some(
          (r: { kind: string; event?: string; ackedAt: string | null }) =>
            r.kind === 'window-open' && r.event === 'm2' && r.ackedAt,
        ),
      5000,
    )
    const open = report.body.notEnforcing.rows.find(
      (r: { kind: string; event?: string }) => r.kind === 'window-open' && r.event === 'm2',
    )
    t.equal(open?.status, 'late', 'the compliance report shows the activation acknowledged late (bound 1 s)')
    t.ok(open?.delayMs >= 1000, `measured from the scheduled instant (${open?.delayMs} ms)`)
  })
})
