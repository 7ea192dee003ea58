/**
 * Clock skew, end to end: two agents, one on the real clock and one shifted 20 s ahead by the
 * OFFSIDE_AGENT_CLOCK_OFFSET_MS test hook (a host without NTP). Each measures its offset from the
 * gateway's clock; the skewed one alarms, and operators see it where they look: the agent's own
 * status, `GET /v1/agents`, the compliance report and the dashboard's ISPs panel.
 */
import { launchBrowser, orgWithToken, type StackAgent, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

const SKEW_MS = 20_000
/** The measure is good to half a round trip on a loaded machine; generous, never tight. */
const TOLERANCE_MS = 1_500

const stack = await startStack(t, { env: { ...e2eEnv(), OFFSIDE_DASHBOARD_POLL_MS: '250' } })
const { sky, isp } = await baseData(stack, Date.now())
await stack.start('scheduler')
const gateway = await stack.start('gateway')
const honest = await stack.startAgent({ id: 'edge-ntp', token: isp, gateways: [gateway.url] })
const skewed = await stack.startAgent({
  id: 'edge-skewed',
  token: isp,
  gateways: [gateway.url],
  env: { OFFSIDE_AGENT_CLOCK_OFFSET_MS: String(SKEW_MS) },
})
const measured = (agent: StackAgent) => waitFor(agent.status, (s) => s.clock !== undefined, 20_000)
const near = (value: number | null | undefined, target: number) =>
  typeof value === 'number' && Math.abs(value - target) < TOLERANCE_MS

interface AgentRow {
  agentId: string
  clockOffsetMs: number | null
  clockSkewed: boolean
  clockReportedAt: string | null
}
interface ComplianceRow {
  agentId: string
  revision: number
  clockOffsetMs: number | null
  clockSkewed: boolean
}
interface ComplianceReport {
  rows: ComplianceRow[]
  notEnforcing: { rows: ComplianceRow[]; summary: { isp: string; clockSkewed: number }[] }
}

t.test("an agent measures its clock's offset from the gateway's and alarms past the bound", async (t) => {
  const good = await measured(honest)
  const bad = await measured(skewed)
  t.ok(near(good.clock?.offsetMs, 0), `the agent on the real clock measures ~0 (${good.clock?.offsetMs} ms)`)
  t.equal(good.clock?.skewed, false, 'and raises no alarm')
  t.ok(near(bad.clock?.offsetMs, SKEW_MS), `the skewed agent measures ~20 s (${bad.clock?.offsetMs} ms)`)
  t.equal(bad.clock?.skewed, true, 'past the 2 s bound: the alarm is raised')
  const ready = await fetch(`http://127.0.0.1:${skewed.port}/readyz`)
  t.equal(ready.status, 503, 'the skewed agent is not ready')
  t.match(await ready.text(), /clock off the gateway's/, 'and says why')
  const metrics = await (await fetch(`http://127.0.0.1:${skewed.port}/metrics`)).text()
  t.match(metrics, /offside_agent_clock_skewed 1/, 'the metric shows the alarm')
})

t.test('GET /v1/agents shows each agent clock offset and flags the skewed one', async (t) => {
  // Heartbeats carry the measure: no revision needs to be published for the API to know.
  const { agents } = await waitFor(
    () => stack.api.ok<{ agents: AgentRow[] }>('GET', '/v1/agents'),
    (body) => body.agents.length === 2 && body.agents.every((a) => a.clockReportedAt !== null),
    15_000,
  )
  const byId = new Map(agents.map((a) => [a.agentId, a]))
  const bad = byId.get('edge-skewed')
  const good = byId.get('edge-ntp')
  t.ok(near(bad?.clockOffsetMs, SKEW_MS), `the skewed agent's offset is ~20 s (${bad?.clockOffsetMs} ms)`)
  t.equal(bad?.clockSkewed, true, 'and it is flagged skewed')
  t.ok(near(good?.clockOffsetMs, 0), `the agent on the real clock shows ~0 (${good?.clockOffsetMs} ms)`)
  t.equal(good?.clockSkewed, false, 'and is not flagged')
})

t.test(
  "a skewed agent switches a window on that much early, and the compliance report marks that agent's evidence",
  async (t) => {
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

    // The list upload's revision was applied by both after their clocks were measured: their acks
    // carry the offset. Dry-run agents are reported apart (`notEnforcing`), marked the same way.
    const { revision } = await stack.api.ok<{ revision: number }>('GET', '/v1/state')
    const report = await waitFor(
      () => stack.api.ok<ComplianceReport>('GET', '/v1/reports/compliance'),
      (r) =>
        ['edge-ntp', 'edge-skewed'].every((id) =>
          r.notEnforcing.rows.some(
            (row) => row.agentId === id && row.revision === revision && row.clockOffsetMs !== null,
          ),
        ),
      15_000,
    )
    const rowOf = (id: string) =>
      report.notEnforcing.rows.find((row) => row.agentId === id && row.revision === revision)
    const bad = rowOf('edge-skewed')
    const good = rowOf('edge-ntp')
    t.equal(bad?.clockSkewed, true, "the skewed agent's evidence of the revision is marked skewed")
    t.ok(near(bad?.clockOffsetMs, SKEW_MS), `with its offset when it applied it (${bad?.clockOffsetMs} ms)`)
    t.equal(good?.clockSkewed, false, "the other agent's evidence is not marked")
    t.same(
      report.notEnforcing.summary.map((s) => [s.isp, s.clockSkewed]),
      [['isp-a', 1]],
      "the ISP's summary counts one agent with a skewed clock",
    )
    const csv = await fetch(`${stack.apiUrl}/v1/reports/compliance?format=csv`, {
      headers: { authorization: `Bearer ${stack.admin}` },
    })
    const lines = (await csv.text()).trim().split('\r\n')
    const header = lines[0]?.split(',') ?? []
    const skewedAt = header.indexOf('clockSkewed')
    t.ok(skewedAt > 0, 'the CSV export has a clockSkewed column')
    const cellsOf = (id: string) =>
      lines
        .slice(1)
        .map((line) => line.split(','))
        .find((cells) => cells[header.indexOf('agentId')] === id && cells[0] === String(revision))
    t.equal(
      cellsOf('edge-skewed')?.[skewedAt],
      'true',
      "the CSV marks the skewed agent's row of the revision",
    )
    t.equal(cellsOf('edge-ntp')?.[skewedAt], 'false', "and not the other agent's")
  },
)

t.test('the dashboard flags the skewed agent with a clock badge and lets ops filter to it', async (t) => {
  const ops = await orgWithToken(stack.api, 'task-force', 'ops')
  await stack.start('dashboard')
  const browser = await launchBrowser(t)
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } })
  await page.goto(`${stack.url('dashboard')}/?token=${encodeURIComponent(ops)}`)
  const skewedRow = page.locator('tr[data-agent="edge-skewed"]')
  const badge = skewedRow.locator('[data-testid="agent-clock-skewed"]')
  await badge.waitFor({ timeout: 20_000 })
  const text = (await badge.textContent()) ?? ''
  const shown = Number(/clock \+(\d+\.\d) s/.exec(text)?.[1]) * 1000
  t.ok(near(shown, SKEW_MS), `the badge shows the offset, ~+20 s ("${text}")`)
  t.equal(
    await page.locator('tr[data-agent="edge-ntp"] [data-testid="agent-clock-skewed"]').count(),
    0,
    'the agent on the real clock has no badge',
  )
  t.equal(
    await page.locator('[data-isp="isp-a"]').getAttribute('data-severity'),
    'bad',
    'the ISP is listed as failing, so it sorts first among 330',
  )
  // The offset is measured, good to TOLERANCE_MS like the rest, so it may show as 19.9 s: read the
  // number rather than match "2x.x" (seen at load 20: "clock 19.9 s ahead" failed that match).
  const summary =
    (await page.locator('[data-isp="isp-a"] [data-testid="isp-status"] + .isp-detail').textContent()) ?? ''
  const ahead = Number(/clock (\d+\.\d) s ahead/.exec(summary)?.[1]) * 1000
  t.ok(near(ahead, SKEW_MS), `the ISP's one-line summary says why, ~20 s ahead ("${summary}")`)
  const filter = page.locator('[data-testid="isp-clock-filter"]')
  t.match(await filter.textContent(), /^1 clock skewed$/, 'a filter chip counts the ISPs with a skewed agent')
  await filter.click()
  t.equal(await page.locator('[data-testid="isp-list"] [data-isp]').count(), 1, 'and shows only them')
})
