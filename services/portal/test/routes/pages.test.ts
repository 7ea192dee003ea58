/**
 * The public portal in Chromium, on the real API and scheduler: orders and counts, the look-up of
 * one address and the complaint form, the same data as JSON and Atom — and no list entry on any
 * public page other than the one looked up (SPEC rule 14).
 */
import { isoWeekKey, seasonOf } from '@offside/core'
import { launchBrowser, startStack, waitFor } from '@offside/testkit'
import t from 'tap'

const stack = await startStack(t, {
  services: ['api', 'scheduler', 'portal'],
  env: {
    OFFSIDE_ASN_DB_DIR: 'off',
    // The portal forwards each visitor's address; the API counts visitors, not the portal.
    OFFSIDE_TRUST_PROXY: '127.0.0.1',
  },
  logLevel: 'warn',
})

const now = Date.now()
const week = isoWeekKey(now - 60_000, 'Europe/Rome')
const competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 15,
  postMinutes: 30,
}
const { id: _id, ...competitionBody } = competition
await stack.api.ok('PUT', '/v1/competitions/serie-a', competitionBody)
await stack.api.ok('POST', '/v1/orgs', { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' })
await stack.api.ok('POST', '/v1/orgs', { id: 'dazn', kind: 'rightsholder', name: 'DAZN' })
const { token: sky } = await stack.api.ok<{ token: string }>('POST', '/v1/tokens', {
  org: 'sky-it',
  role: 'rightsholder',
})
const season = seasonOf(now, competition)
await stack.api.ok('PUT', '/v1/orders/o1', {
  rightsholder: 'sky-it',
  competitions: ['serie-a'],
  season,
  reference: '123/26/DDA',
})
await stack.api.ok('PUT', '/v1/orders/o2', {
  rightsholder: 'dazn',
  competitions: ['serie-a'],
  season,
  reference: '124/26/DDA',
})
await stack.api.ok('POST', '/v1/orders/o2/suspend', { reason: 'under review' })
await stack.api.ok('PUT', '/v1/events/m1', {
  competition: 'serie-a',
  kickoff: new Date(now - 60_000).toISOString(),
  end: new Date(now + 2 * 3600_000).toISOString(),
  title: 'Inter – Milan',
})

// 100 entries, all enforced; plus one the guard holds and one it rejects.
const entries = Array.from({ length: 100 }, (_, i) => `198.51.100.${i + 1}`)
await stack.api.as(sky).ok('PUT', `/v1/lists/sky-it/${week}`, {
  evidence: `sha256:${'ab'.repeat(32)}`,
  entries: [...entries.map((target) => ({ target })), { target: '2001:db8::/40' }, { target: '10.1.2.3' }],
})
const published = await waitFor(
  async () => (await stack.api.ok<{ entries: unknown[] }>('GET', '/v1/state/entries')).entries.length,
  (count) => count === 100,
  30_000,
)
// No assertion at the top level: tap would end the root test while setup still awaits.
if (published !== 100) throw new Error('the scheduler did not publish the 100 entries in 30 s')

// One complaint rejected before anyone reads the report, so the report and feed carry a decision.
const complaint = await stack.api.as(null).ok<{ id: string }>('POST', '/v1/complaints', {
  target: '198.51.100.99',
  contact: 'noc@example.net',
  reason: 'a lawful shop',
})
await stack.api.ok('POST', `/v1/complaints/${complaint.id}/decision`, {
  outcome: 'reject',
  reason: 'sole purpose',
})

/** The entries (of the 100) that appear in a text, as whole addresses. */
const entriesIn = (text: string) =>
  entries.filter((entry) => new RegExp(`${entry.replaceAll('.', '\\.')}(?![0-9])`).test(text))

const browser = await launchBrowser(t)
const page = await browser.newPage()
t.teardown(() => page.close())

t.test('the overview lists the orders in force, with counts enforced now per order', async (t) => {
  await page.goto(`${stack.url('portal')}/`)
  const o1 = page.locator('[data-testid="orders"] tr[data-order="o1"]')
  t.match(await o1.textContent(), /123\/26\/DDA[\s\S]*Sky Italia[\s\S]*Serie A[\s\S]*in force/)
  t.equal(
    (await o1.locator('[data-testid="enforced-now"]').textContent())?.trim(),
    '100',
    '100 enforced under o1',
  )
  const o2 = page.locator('[data-testid="orders"] tr[data-order="o2"]')
  t.match(await o2.textContent(), /DAZN[\s\S]*suspended[\s\S]*ongoing/, 'a suspended order shows since when')
  t.match(await page.locator('[data-testid="enforced-total"]').textContent(), /100/)
  const weekRow = page.locator(`[data-testid="weeks"] tr[data-week="${week}"][data-rightsholder="sky-it"]`)
  t.same(
    (await weekRow.locator('td').allTextContents()).slice(2),
    ['102', '1', '1', '0'],
    'listed 102, held 1, rejected 1, revoked 0',
  )
  t.same(
    (await page.locator('[data-testid="complaints"] td').allTextContents()).slice(0, 4),
    ['1', '0', '0', '1'],
    'filed 1, none open, none upheld, 1 rejected',
  )
})

t.test('with 100 entries listed, no public page, JSON or feed shows any but the one looked up', async (t) => {
  const surfaces: [string, string][] = []
  for (const path of ['/', '/lookup', '/transparency.json', '/feed.atom']) {
    const response = await page.goto(`${stack.url('portal')}${path}`)
    surfaces.push([path, (await response?.text()) ?? ''])
  }
  for (const path of ['/v1/public/transparency', '/v1/public/lookup?target=203.0.113.200']) {
    surfaces.push([path, await fetch(`${stack.apiUrl}${path}`).then((r) => r.text())])
  }
  for (const [path, text] of surfaces) {
    t.ok(text.length > 0, `${path} answered`)
    t.same(entriesIn(text), [], `${path} names no entry`)
    t.notMatch(
      text,
      /2001:db8::\/40|10\.1\.2\.3|noc@example\.net/,
      `${path} names no held or rejected entry, no complainant`,
    )
  }

  await page.goto(`${stack.url('portal')}/lookup`)
  await page.fill('#target', '198.51.100.42')
  await page.click('[data-testid="lookup-form"] button')
  const result = page.locator('[data-testid="lookup-result"]')
  t.equal(await result.getAttribute('data-blocked'), 'true', 'the looked-up address is blocked')
  t.match(
    await result.textContent(),
    /198\.51\.100\.42[\s\S]*until[\s\S]*123\/26\/DDA/,
    'until when and under which order',
  )
  t.same(entriesIn(await page.content()), ['198.51.100.42'], 'the look-up page shows that address only')
})

t.test('an address not listed is not blocked, and a malformed one is refused with the reason', async (t) => {
  await page.goto(`${stack.url('portal')}/lookup?target=203.0.113.200`)
  t.equal(await page.locator('[data-testid="lookup-result"]').getAttribute('data-blocked'), 'false')
  const refused = await page.goto(`${stack.url('portal')}/lookup?target=not-an-address`)
  t.equal(refused?.status(), 422, 'the API’s status is passed on')
  t.ok(await page.locator('[data-testid="lookup-error"]').isVisible(), 'the API’s reason is shown')
})

t.test('the complaint form files a complaint on the public API', async (t) => {
  await page.goto(`${stack.url('portal')}/lookup?target=198.51.100.42`)
  await page.fill('#c-contact', 'hosting@example.org')
  await page.fill('#c-reason', 'our customers’ lawful sites share this address')
  await page.click('[data-testid="complaint-form"] button')
  const filed = page.locator('[data-testid="complaint-filed"]')
  const id = /c_[A-Za-z0-9_-]+/.exec((await filed.textContent()) ?? '')?.[0]
  t.ok(id, 'the page gives the complaint id')
  const listed = await stack.api.ok<{ complaints: { id: string; target: string; contact: string }[] }>(
    'GET',
    '/v1/complaints?status=open',
  )
  t.match(listed.complaints, [{ id, target: '198.51.100.42', contact: 'hosting@example.org' }])

  await page.goto(`${stack.url('portal')}/lookup?target=198.51.100.42`)
  await page.fill('#c-contact', 'x')
  await page.fill('#c-reason', 'short contact')
  await page.click('[data-testid="complaint-form"] button')
  t.ok(await page.locator('[data-testid="complaint-error"]').isVisible(), 'a refused complaint says why')
  t.equal(await page.inputValue('#c-reason'), 'short contact', 'and keeps what was typed')
})

t.test('the same data as JSON, and an Atom feed of orders and decisions', async (t) => {
  const json = await fetch(`${stack.url('portal')}/transparency.json`)
  t.match(json.headers.get('content-type'), /application\/json/)
  t.match(await json.json(), {
    enforcedNow: 100,
    orders: [
      { id: 'o1', enforcedNow: 100 },
      { id: 'o2', status: 'suspended' },
    ],
  })
  const feed = await fetch(`${stack.url('portal')}/feed.atom`)
  t.match(feed.headers.get('content-type'), /application\/atom\+xml/)
  const xml = await feed.text()
  t.match(xml, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">/)
  const titles = [
    ...xml.matchAll(/<entry>[\s\S]*?<title[^>]*>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?<\/title>/g),
  ].map((m) => m[1])
  t.equal(titles[0], 'Complaint rejected', 'newest first: the decision')
  t.same(
    [...titles].sort(),
    [
      'Complaint rejected',
      'Order 123/26/DDA issued',
      'Order 124/26/DDA issued',
      'Order 124/26/DDA suspended',
    ],
    'orders issued and suspended, and the decision',
  )
})
