import { startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

t.test(
  "an agent measures its clock's offset from the gateway's, alarms past the bound, and a skewed agent switches a window on that much early",
  async (t) => {
    const stack = await startStack(t, { env: e2eEnv() })
    const { sky, isp } = await baseData(stack, Date.now())
    await stack.start('scheduler')
    const gateway = await stack.start('gateway')
    const honest = await stack.startAgent({ id: 'edge-ntp', token: isp, gateways: [gateway.url] })
    // The test hook shifts the skewed agent's clock 20 s ahead, as a host without NTP would be.
    const skewed = await stack.startAgent({
      id: 'edge-skewed',
      token: isp,
      gateways: [gateway.url],
      env: { OFFSIDE_AGENT_CLOCK_OFFSET_MS: '20000' },
    })
    const measured = (s: { clock?: unknown }) => s.clock !== undefined
    const good = await waitFor(honest.status, measured, 20_000)
    const bad = await waitFor(skewed.status, measured, 20_000)
    t.ok(
      good.clock && Math.abs(good.clock.offsetMs) < 1_500,
      `the agent on the real clock measures ~0 (${good.clock?.offsetMs} ms)`,
    )
    t.equal(good.clock?.skewed, false, 'and raises no alarm')
    t.ok(
      bad.clock && Math.abs(bad.clock.offsetMs - 20_000) < 1_500,
      `the skewed agent measures ~20 s (${bad.clock?.offsetMs} ms)`,
    )
    t.equal(bad.clock?.skewed, true, 'past the 2 s bound: the alarm is raised')
    const ready = await fetch(`http://127.0.0.1:${skewed.port}/readyz`)
    t.equal(ready.status, 503, 'the skewed agent is not ready')
    t.match(await ready.text(), /clock off the gateway's/, 'and says why')
    const metrics = await (await fetch(`http://127.0.0.1:${skewed.port}/metrics`)).text()
    t.match(metrics, /offside_agent_clock_skewed 1/, 'the metric shows the alarm')

    // A window 10 s from now by the real clock is already open by the skewed agent's.
    const kickoff = Date.now() + 10_000
    await putEvent(stack, 'm1', kickoff, kickoff + 120_000)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
    const early = await waitFor(skewed.status, (s) => s.prefixes.includes('203.0.113.7/32'), 8_000)
    const staged = await honest.status()
    if (Date.now() < kickoff) {
      t.ok(early.prefixes.includes('203.0.113.7/32'), 'the skewed agent enforces before kickoff')
      t.notOk(staged.prefixes.includes('203.0.113.7/32'), 'the agent on the real clock has it staged only')
    } else t.comment('the machine was too slow to observe the early switch-on before kickoff')
  },
)
