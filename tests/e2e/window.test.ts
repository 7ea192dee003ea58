import { type Stack, type StackAgent, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

const PREFIX = '203.0.113.7/32'

/** The first instant (local clock) at which the agent's enforcement satisfies `on`. */
async function whenEnforced(agent: StackAgent, on: boolean, timeoutMs: number): Promise<number | null> {
  const status = await waitFor(agent.status, (s) => s.prefixes.includes(PREFIX) === on, timeoutMs)
  return status?.prefixes.includes(PREFIX) === on ? Date.now() : null
}

// The stack's agents run the dry-run backend, so the report lists them apart, under notEnforcing.
async function complianceRow(stack: Stack, kind: string, event: string) {
  const report = await waitFor(
    () => stack.api.request('GET', '/v1/reports/compliance'),
    (res) =>
      res.body.notEnforcing?.rows?.some(
        (r: { kind: string; event?: string; ackedAt: string | null }) =>
          r.kind === kind && r.event === event && r.ackedAt,
      ),
    5000,
  )
  return report.body.notEnforcing?.rows?.find(
    (r: { kind: string; event?: string }) => r.kind === kind && r.event === event,
  )
}

// Two stacks one after the other (≈ 45 s idle); tap's 120 s default was passed at load 20.
t.setTimeout(300_000)

t.test('a window opening in a few seconds switches on at the instant and off at its end', async (t) => {
  const stack = await startStack(t, { env: e2eEnv(1000) })
  const now = Date.now()
  const { sky, isp } = await baseData(stack, now)
  await stack.start('scheduler')
  const gateway = await stack.start('gateway')
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })

  const kickoff = Date.now() + 6000
  const end = kickoff + 3000
  await putEvent(stack, 'm1', kickoff, end)
  await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])

  const staged = await waitFor(agent.status, (s) => s.staged > 0, 5000)
  t.equal(staged?.staged, 1, 'the entry reaches the agent ahead of the window, staged')
  t.notOk(staged?.prefixes.includes(PREFIX), 'and is not enforced before the window')

  const on = await whenEnforced(agent, true, 10_000)
  t.ok(on !== null && on >= kickoff - 50, 'not switched on early')
  t.ok(
    on !== null && on <= kickoff + 1000,
    `switched on within 1 s of the instant (${on === null ? 'never' : on - kickoff} ms)`,
  )
  const open = await complianceRow(stack, 'window-open', 'm1')
  t.match(
    open,
    { status: 'on-time', isp: 'isp-a', agentId: 'edge-1' },
    'the activation is acknowledged on time',
  )
  t.ok(open?.delayMs <= 1000, `ack within 1 s of the scheduled instant (${open?.delayMs} ms)`)

  // Off at the window's close (the scheduler's window-close drops the group) and in any case no
  // later than its until (end + grace), which the agent enforces by itself.
  const off = await whenEnforced(agent, false, 10_000)
  const until = end + 1000
  t.ok(off !== null && off >= end - 50, 'not switched off before the end')
  t.ok(
    off !== null && off <= until + 1000,
    `switched off within 1 s of the end (+ grace) (${off === null ? 'never' : off - until} ms)`,
  )
})

t.test('a moved window switches on at its new instant, not the old one', async (t) => {
  const stack = await startStack(t, { env: e2eEnv(1000) })
  const now = Date.now()
  const { sky, isp } = await baseData(stack, now)
  await stack.start('scheduler')
  const gateway = await stack.start('gateway')
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })

  const kickoff = Date.now() + 4000
  await putEvent(stack, 'm2', kickoff, kickoff + 3000)
  await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
  await waitFor(agent.status, (s) => s.staged > 0, 5000)
  const moved = kickoff + 4000
  await putEvent(stack, 'm2', moved, moved + 2000)

  const early = await waitFor(agent.status, (s) => s.prefixes.includes(PREFIX), moved - Date.now() - 300)
  t.notOk(early?.prefixes.includes(PREFIX), 'nothing enforced at the old instant')
  const on = await whenEnforced(agent, true, 5000)
  t.ok(on !== null && on >= moved - 50 && on <= moved + 1000, 'switched on at the new instant')
  const off = await whenEnforced(agent, false, 6000)
  t.ok(off !== null && off >= moved + 2000 - 50 && off <= moved + 3000 + 1000, 'and off at the new end')
})
