import { sleep, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

const PREFIX = '203.0.113.7/32'

t.test('extended and cancelled windows take effect at once', async (t) => {
  const stack = await startStack(t, { env: e2eEnv(1000) })
  const { sky, isp } = await baseData(stack, Date.now())
  await stack.start('scheduler')
  const gateway = await stack.start('gateway')
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })

  await t.test(
    'a window that is extended while live keeps its entries enforced until the new end',
    async (t) => {
      const kickoff = Date.now() + 1500
      await putEvent(stack, 'm1', kickoff, kickoff + 3000)
      await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
      const on = await waitFor(agent.status, (s) => s.prefixes.includes(PREFIX), 5000)
      t.ok(on.prefixes.includes(PREFIX), 'live')
      const newEnd = kickoff + 7000
      await putEvent(stack, 'm1', kickoff, newEnd)
      while (Date.now() < kickoff + 5000) await sleep(50) // past the old end and its grace
      t.ok((await agent.status()).prefixes.includes(PREFIX), 'still enforced after the old end')
      const off = await waitFor(agent.status, (s) => !s.prefixes.includes(PREFIX), 6000)
      t.notOk(off.prefixes.includes(PREFIX), 'off after the new end')
      t.ok(Date.now() >= newEnd - 50, 'not before the new end')
    },
  )

  await t.test('a window cancelled while live stops being enforced at once', async (t) => {
    const kickoff = Date.now() + 1000
    await putEvent(stack, 'm2', kickoff, kickoff + 60_000)
    const on = await waitFor(agent.status, (s) => s.prefixes.includes(PREFIX), 5000)
    t.ok(on.prefixes.includes(PREFIX), 'live')
    const cancelledAt = Date.now()
    await putEvent(stack, 'm2', kickoff, kickoff + 60_000, 'cancelled')
    const off = await waitFor(agent.status, (s) => !s.prefixes.includes(PREFIX), 3000)
    t.notOk(off.prefixes.includes(PREFIX), 'off')
    t.ok(Date.now() - cancelledAt < 3000, 'within the propagation budget, not at the old end')
  })
})
