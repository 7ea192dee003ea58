/**
 * The dashboard at national scale, in real Chromium: 330 ISPs and 1,000 agents, some failing,
 * with a circuit-breaker hold, held entries and open complaints. What needs action stays on
 * screen, nothing scrolls sideways, and ops can retire a stale agent. Screenshots of each state
 * go to docs/img/ (referenced from docs/dashboard.md) when OFFSIDE_DASHBOARD_SCREENSHOTS=1.
 */
import { join, resolve } from 'node:path'
import { agentConnected, agentDisconnected, createDb, recordBreakerTrip } from '@offside/store'
import { launchBrowser, startStack } from '@offside/testkit'
import { Redis } from 'ioredis'
import type { Page } from 'playwright-core'
import t from 'tap'

t.setTimeout(300_000) // a thousand agents and four browser pages on a loaded machine
const screenshots = process.env.OFFSIDE_DASHBOARD_SCREENSHOTS === '1'
const imgDir = resolve(import.meta.dirname, '../../../../docs/img')

const stack = await startStack(t, {
  services: ['api', 'dashboard'],
  env: { OFFSIDE_DASHBOARD_POLL_MS: '250' },
  logLevel: 'warn',
})
const browser = await launchBrowser(t)
const redis = new Redis(stack.redisUrl)
t.teardown(() => redis.disconnect())
const db = createDb(redis, 'offside:')

await stack.api.ok('POST', '/v1/orgs', { id: 'task-force', kind: 'ops', name: 'Task force' })
const { token: opsToken } = await stack.api.ok<{ token: string }>('POST', '/v1/tokens', {
  org: 'task-force',
  role: 'ops',
})

// 330 ISPs with 1,000 agents: ten for the ten largest, three or two for the others. Every 25th ISP has an agent
// that disconnected, every 40th one running dry-run; isp-017 has a stale agent to retire.
const now = Date.now()
const isps = Array.from({ length: 330 }, (_, i) => `isp-${String(i).padStart(3, '0')}`)
const agents: { isp: string; agentId: string; backend: string; down: boolean }[] = []
for (const [i, isp] of isps.entries()) {
  const count = i < 10 ? 10 : i < 270 ? 3 : 2 // 100 + 780 + 120 = 1,000
  for (let a = 0; a < count && agents.length < 1000; a++) {
    agents.push({
      isp,
      agentId: `edge-${a + 1}`,
      backend: i % 40 === 7 && a === 0 ? 'dry-run' : a % 2 ? 'flowspec' : 'nftables',
      down: (i % 25 === 17 && a === 2) || (isp === 'isp-017' && a === 2),
    })
  }
}
while (agents.length < 1000)
  agents.push({ isp: 'isp-329', agentId: `edge-${agents.length}`, backend: 'nftables', down: false })
for (const agent of agents) {
  await agentConnected(db, {
    isp: agent.isp,
    agentId: agent.agentId,
    capabilities: [`backend:${agent.backend}`],
    version: '0.1.0',
    lastRevision: 0,
    gateway: 'gw-test',
    now,
    ttlMs: agent.down ? 60_000 : 3_600_000,
  })
  if (agent.down) await agentDisconnected(db, agent, 'gw-test')
}
const failing = new Set(agents.filter((a) => a.down).map((a) => a.isp))
await recordBreakerTrip(db, {
  now,
  cause: { kind: 'list-upload', requestedAt: now, rightsholder: 'sky-it' },
  previous: { v4Addresses: 49, v6Prefixes48: 0 },
  next: { v4Addresses: 65_536, v6Prefixes48: 0 },
  factor: 1337.5,
  reason: {
    code: 'circuit-breaker',
    message: 'the revision would grow enforcement from 49 to 65536 IPv4 addresses',
  },
  proposal: {
    groups: [{ id: 'w:m1', event: 'm1', from: now, until: now + 3600_000, prefixes: ['198.18.0.0/16'] }],
    added: ['198.18.0.0/16'],
  },
})
for (const target of ['203.0.113.7', '198.51.100.9']) {
  await fetch(`${stack.apiUrl}/v1/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target, contact: 'noc@hoster.example', reason: 'our shop shares this server' }),
  })
}

type Box = { top: number; bottom: number; left: number; right: number } | null
interface Layout {
  width: number
  height: number
  scrollWidth: number
  actionBar: Box
  breakerCard: Box
  firstIspStatus: Box
  widestIspPanel: number
}

/** The parts of the page a person must see without scrolling, and whether anything scrolls sideways. */
async function layout(page: Page): Promise<Layout> {
  // A string, not a function: the test runner's transform would add helpers the page lacks.
  return page.evaluate(`(() => {
    const box = (selector) => {
      const r = document.querySelector(selector)?.getBoundingClientRect()
      return r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right } : null
    }
    const panels = [...document.querySelectorAll('.isps, .isps table')]
    return {
      width: window.innerWidth,
      height: window.innerHeight,
      scrollWidth: document.documentElement.scrollWidth,
      actionBar: box('[data-testid="action-bar"]'),
      breakerCard: box('[data-testid="breaker-list"] li'),
      firstIspStatus: box('details.isp [data-testid="isp-status"]'),
      widestIspPanel: Math.max(...panels.map((e) => e.scrollWidth - e.clientWidth)),
    }
  })()`)
}

for (const viewport of [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
]) {
  t.test(`at ${viewport.width}×${viewport.height}, with 330 ISPs and 1,000 agents`, async (t) => {
    const page = await browser.newPage({ viewport })
    t.teardown(() => page.close())
    const errors: string[] = []
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${stack.url('dashboard')}/?token=${encodeURIComponent(opsToken)}`)
    try {
      await page.locator('details.isp').nth(329).waitFor({ state: 'attached', timeout: 30_000 })
    } catch (err) {
      await page.screenshot({ path: '/tmp/people-dash-debug.png' })
      throw new Error(`${(err as Error).message}; page errors: ${errors.join(' | ')}`)
    }
    t.equal(await page.locator('details.isp').count(), 330, 'one row per ISP, not one per agent')
    t.equal(
      await page.locator('[data-testid="action-failing"] strong').textContent(),
      String(failing.size),
      'the action bar counts the failing ISPs',
    )
    t.equal(
      await page.locator('[data-testid="action-breaker"] strong').textContent(),
      '1',
      'and the breaker hold',
    )
    t.equal(
      await page.locator('[data-testid="action-complaints"] strong').textContent(),
      '2',
      'and open complaints',
    )
    const first = await page.locator('details.isp').first().getAttribute('data-severity')
    t.equal(first, 'bad', 'the worst ISP comes first')
    const l = await layout(page)
    t.ok(l.scrollWidth <= l.width, `nothing scrolls sideways (page ${l.scrollWidth} px in ${l.width})`)
    t.ok(l.widestIspPanel <= 0, 'the ISP panel never scrolls sideways')
    t.ok(l.actionBar && l.actionBar.bottom <= l.height, 'the action bar is on screen')
    t.ok(
      l.breakerCard && l.breakerCard.top >= 0 && l.breakerCard.bottom <= l.height,
      'the breaker card is above the fold',
    )
    t.ok(l.firstIspStatus && l.firstIspStatus.right <= l.width, 'the worst ISP’s status is fully visible')
    await page.locator('.isps').hover()
    await page.mouse.wheel(0, 5000)
    const after = await layout(page)
    t.ok(
      after.actionBar && after.actionBar.top >= 0 && after.actionBar.bottom <= after.height,
      'the action bar stays on screen after scrolling',
    )
    if (screenshots) await page.screenshot({ path: join(imgDir, `dashboard-national-${viewport.width}.png`) })
  })
}

t.test('ISPs are searched and filtered; an ISP opens to its agents with their backend', async (t) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } })
  t.teardown(() => page.close())
  await page.goto(`${stack.url('dashboard')}/?token=${encodeURIComponent(opsToken)}`)
  await page.locator('details.isp').nth(329).waitFor({ timeout: 30_000 })
  await page.getByLabel('Show ISPs').selectOption('bad')
  t.equal(await page.locator('details.isp').count(), failing.size, 'Failing shows the failing ISPs only')
  await page.getByLabel('Show ISPs').selectOption('all')
  await page.getByLabel('Search ISPs and agents').fill('isp-007')
  const isp = page.locator('details.isp[data-isp="isp-007"]')
  await isp.waitFor({ timeout: 5_000 })
  t.equal(await page.locator('details.isp').count(), 1, 'search narrows to the ISP')
  t.match(
    await isp.locator('summary').textContent(),
    /10 agents: 1 attention, 9 ok — dry-run: not enforcing/,
    'summary line',
  )
  t.equal(await isp.getAttribute('open'), '', 'a search down to one ISP shows its agents open')
  const dry = isp.locator('tr[data-agent="edge-1"] [data-testid="agent-backend"]')
  t.equal(await dry.textContent(), 'dry-run · not enforcing', 'a dry-run agent is flagged as not enforcing')
  t.equal(
    await isp.locator('tr[data-agent="edge-2"] [data-testid="agent-backend"]').textContent(),
    'flowspec',
    'others show their backend',
  )
  if (screenshots) await page.screenshot({ path: join(imgDir, 'dashboard-isp-open.png') })
})

t.test('ops retire a stale agent from the page; the API audits it', async (t) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } })
  t.teardown(() => page.close())
  await page.goto(`${stack.url('dashboard')}/?token=${encodeURIComponent(opsToken)}`)
  await page.getByLabel('Search ISPs and agents').fill('isp-017')
  const isp = page.locator('details.isp[data-isp="isp-017"]')
  await isp.waitFor({ timeout: 30_000 })
  t.equal(await isp.getAttribute('open'), '', 'a search down to one ISP shows its agents open')
  const stale = isp.locator('tr[data-agent="edge-3"]')
  t.match(await stale.textContent(), /disconnected/, 'the stale agent shows disconnected')
  t.equal(
    await isp.locator('tr[data-agent="edge-1"]').getByRole('button', { name: 'Retire' }).count(),
    0,
    'a connected agent has no Retire button',
  )
  await stale.getByRole('button', { name: 'Retire' }).click()
  await stale.waitFor({ state: 'detached', timeout: 10_000 })
  t.pass('the retired agent leaves the page')
  t.equal(await isp.getAttribute('data-severity'), 'ok', 'and its ISP is no longer failing')
  const audit = await stack.api.ok<{ records: { action: string; subject: string }[] }>(
    'GET',
    '/v1/audit?limit=50',
  )
  t.ok(
    audit.records.some((r) => r.action === 'agent.retire' && r.subject === 'agent:isp-017/edge-3'),
    'the retirement is in the audit log',
  )
})
