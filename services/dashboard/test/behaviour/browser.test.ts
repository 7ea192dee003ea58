/**
 * The dashboard in real headless Chromium against real Redis, API, scheduler, gateway and dry-run
 * edge agents: what the task force sees changes live, without a reload.
 */
import { isoWeekKey, previousWeek, seasonOf } from '@offside/core'
import { launchBrowser, startStack } from '@offside/testkit'
import type { Page } from 'playwright-core'
import t from 'tap'

// DASHBOARD_TEST_SERVICES narrows the stack while a service is being rebuilt (e.g. "api,scheduler").
const only = process.env.DASHBOARD_TEST_SERVICES?.split(',') as
  | ('api' | 'scheduler' | 'gateway')[]
  | undefined
const stack = await startStack(t, {
  services: [...(only ?? ['api', 'scheduler', 'gateway']), 'dashboard'],
  env: { OFFSIDE_DASHBOARD_POLL_MS: '250' },
  logLevel: 'warn',
})
const browser = await launchBrowser(t)

// A match whose window opens a few seconds from now (pre 0 minutes), long enough to stay live.
const kickoff = Date.now() + 10_000
const week = isoWeekKey(kickoff, 'Europe/Rome')
await stack.api.ok('PUT', '/v1/competitions/serie-a', {
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 0,
  postMinutes: 5,
})
await stack.api.ok('POST', '/v1/orgs', { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' })
await stack.api.ok('POST', '/v1/orgs', { id: 'isp-a', kind: 'isp', name: 'ISP A' })
await stack.api.ok('POST', '/v1/orgs', { id: 'task-force', kind: 'ops', name: 'Task force' })
const { token: opsToken } = await stack.api.ok<{ token: string }>('POST', '/v1/tokens', {
  org: 'task-force',
  role: 'ops',
})
const { token: skyToken } = await stack.api.ok<{ token: string }>('POST', '/v1/tokens', {
  org: 'sky-it',
  role: 'rightsholder',
})
const { token: ispToken } = await stack.api.ok<{ token: string }>('POST', '/v1/tokens', {
  org: 'isp-a',
  role: 'isp',
})
await stack.api.ok('PUT', '/v1/orders/o1', {
  rightsholder: 'sky-it',
  competitions: ['serie-a'],
  season: seasonOf(kickoff, {
    id: 'serie-a',
    name: 'Serie A',
    timeZone: 'Europe/Rome',
    preMinutes: 0,
    postMinutes: 5,
  }),
  reference: '123/26/DDA',
})
await stack.api.ok('PUT', '/v1/events/m1', {
  competition: 'serie-a',
  kickoff: new Date(kickoff).toISOString(),
  end: new Date(kickoff + 20 * 60_000).toISOString(),
  title: 'Inter – Milan',
})
// Last week's list held one more address: this week it is under surveillance, not enforced.
await stack.api.as(skyToken).ok('PUT', `/v1/lists/sky-it/${previousWeek(week)}`, {
  evidence: `sha256:${'cd'.repeat(32)}`,
  criterion: 'sole-or-predominant-purpose',
  entries: [{ target: '203.0.113.7' }, { target: '198.51.100.0/24' }, { target: '203.0.113.99' }],
})
// Two entries accepted; an IPv6 /40 is broader than the soft limit (/48) and is held for review.
const upload = await stack.api
  .as(skyToken)
  .ok<{ held: { target: string }[] }>('PUT', `/v1/lists/sky-it/${week}`, {
    evidence: `sha256:${'ab'.repeat(32)}`,
    criterion: 'sole-or-predominant-purpose',
    entries: [{ target: '203.0.113.7' }, { target: '198.51.100.0/24' }, { target: '2001:db8::/40' }],
  })

const page: Page = await browser.newPage({ viewport: { width: 1366, height: 768 } })
t.teardown(() => page.close())

const eventRow = (event: string) => page.locator(`[data-testid="live-windows"] tr[data-event="${event}"]`)

t.test('the page loads after signing in with a token from the URL, which is then removed', async (t) => {
  await page.goto(`${stack.url('dashboard')}/?token=${encodeURIComponent(opsToken)}`)
  await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor({ timeout: 10_000 })
  t.notMatch(page.url(), /token=/, 'the token is stripped from the address bar')
  await page.locator('[data-testid="upcoming-windows"] tr[data-event="m1"]').waitFor({ timeout: 5_000 })
  t.pass('the upcoming match is listed before its window opens')
  await page.evaluate(() => {
    ;(window as unknown as { notReloaded: boolean }).notReloaded = true
  })
})

t.test('a window goes live and its enforced count updates within 2 s, without reload', async (t) => {
  // The window opens at kickoff (pre 0); the page must show both entries 2 s after that at the latest.
  const deadline = kickoff + 2_000 - Date.now()
  t.ok(deadline > 2_000, 'the window has not opened yet when the test starts watching')
  await eventRow('m1')
    .locator('[data-testid="enforced-entries"]', { hasText: /^2$/ })
    .waitFor({ timeout: deadline })
  t.ok(Date.now() >= kickoff - 500, 'the count did not show before the window opened')
  t.equal(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    true,
    'the page was not reloaded',
  )
  t.equal(
    await eventRow('m1').locator('.title').textContent(),
    'Inter – Milan',
    'the live window names the match',
  )
})

t.test('an ISP agent disconnects and the page shows it', async (t) => {
  const agent = await stack.startAgent({ id: 'edge-1', token: ispToken })
  const row = page.locator('tr[data-agent="edge-1"]')
  await row.and(page.locator('[data-connected="true"]')).waitFor({ timeout: 15_000 })
  t.pass('the connected agent is listed')
  await agent.stop()
  await row.and(page.locator('[data-connected="false"]')).waitFor({ timeout: 5_000 })
  t.match(await row.textContent(), /disconnected/, 'the agent row says disconnected')
})

t.test('a held entry is approved from the page and becomes enforced', async (t) => {
  t.same(
    upload.held.map((h) => h.target),
    ['2001:db8::/40'],
    'the broad IPv6 prefix was held by the guard',
  )
  const held = page.locator('li[data-target="2001:db8::/40"]')
  await held.waitFor({ timeout: 5_000 })
  t.match(await held.textContent(), /broader-than-soft-limit/, 'the held entry shows its reason code')
  // Keyboard: focus the approve button and press Enter, as a task-force member without a mouse would.
  await held.getByRole('button', { name: /^Approve/ }).focus()
  await page.keyboard.press('Enter')
  await held.waitFor({ state: 'detached', timeout: 5_000 })
  t.pass('the approved entry leaves the guard panel')
  await eventRow('m1')
    .locator('[data-testid="enforced-entries"]', { hasText: /^3$/ })
    .waitFor({ timeout: 5_000 })
  t.pass('the live window now enforces the approved entry too')
})

t.test('the authority upholds a complaint from the page and the address is unblocked', async (t) => {
  const filed = await fetch(`${stack.apiUrl}/v1/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      target: '203.0.113.7',
      contact: 'noc@example.net',
      reason: 'A lawful shop shares this host.',
    }),
  })
  t.equal(filed.status, 201, 'anyone may file a complaint')
  const { id } = (await filed.json()) as { id: string }
  const authority = await browser.newPage({ viewport: { width: 1366, height: 768 } })
  t.teardown(() => authority.close())
  await authority.goto(stack.url('dashboard'))
  await authority.getByLabel('Ops or authority token').fill(stack.admin)
  await authority.keyboard.press('Enter')
  const complaint = authority.locator(`li[data-complaint="${id}"]`)
  await complaint.waitFor({ timeout: 5_000 })
  t.match(await complaint.textContent(), /203\.0\.113\.7/, 'the open complaint shows its target')
  await complaint.getByLabel(/Reason for the decision/).fill('Shared hosting; the order does not cover it.')
  await complaint.getByRole('button', { name: /Uphold/ }).click()
  await complaint.waitFor({ state: 'detached', timeout: 5_000 })
  t.pass('the decided complaint leaves the panel')
  const row = authority.locator('[data-testid="live-windows"] tr[data-event="m1"]')
  await row.locator('[data-testid="enforced-entries"]', { hasText: /^2$/ }).waitFor({ timeout: 5_000 })
  t.pass('the live window enforces one entry fewer')
  await authority
    .locator('[data-testid="timeline"] li.cause-complaint-upheld')
    .first()
    .waitFor({ timeout: 5_000 })
  t.pass('the timeline shows the revision caused by the upheld complaint')
})

t.test(
  'an entry listed last week and not this week is shown under surveillance for its rightsholder',
  async (t) => {
    const row = page.locator(
      `[data-testid="surveillance"] li[data-rightsholder="sky-it"][data-week="${week}"]`,
    )
    await row.waitFor({ timeout: 10_000 })
    t.equal(
      await row.locator('[data-testid="surveillance-total"]').textContent(),
      '1',
      'one entry is under surveillance',
    )
    t.match(
      await row.textContent(),
      `last listed in ${previousWeek(week)}`,
      'with the week it was last listed in',
    )
    await row.locator('summary').click()
    const entries = row.locator('.targets code')
    await entries.first().waitFor({ state: 'visible', timeout: 5_000 })
    t.same(
      await entries.allTextContents(),
      ['203.0.113.99'],
      'ops see the entry; the ones still listed are not there',
    )
  },
)
