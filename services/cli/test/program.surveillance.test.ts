import t from 'tap'
import { ADMIN, EVIDENCE, setUp } from './helper.js'

t.test('`list surveillance` prints last week’s entries no longer listed', async (t) => {
  const { run, apiUrl } = await setUp(t)
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
  await run(['org', 'create', 'sky-it', '--kind', 'rightsholder', '--name', 'Sky Italia'])
  const token = (await run(['token', 'create', 'sky-it', '--role', 'rightsholder'])).out.trim()
  // An order for the current season, so the entries are accepted rather than held.
  await fetch(`${apiUrl}/v1/competitions/serie-a`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ name: 'Serie A', timeZone: 'Europe/Rome' }),
  })
  const now = new Date()
  const start = now.getUTCMonth() >= 6 ? now.getUTCFullYear() : now.getUTCFullYear() - 1
  const order = await fetch(`${apiUrl}/v1/orders/o1`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({
      rightsholder: 'sky-it',
      competitions: ['serie-a'],
      season: `${start}-${String((start + 1) % 100).padStart(2, '0')}`,
      reference: '123/26/DDA',
    }),
  })
  t.equal(order.status, 200, 'order issued')
  for (const [week, targets] of [
    ['2026-W40', ['203.0.113.7', '203.0.113.8']],
    ['2026-W41', ['203.0.113.7']],
  ] as const) {
    const res = await fetch(`${apiUrl}/v1/lists/sky-it/${week}`, {
      method: 'PUT',
      headers: { ...admin, authorization: `Bearer ${token}` },
      body: JSON.stringify({ entries: targets.map((target) => ({ target })), evidence: EVIDENCE }),
    })
    t.equal(res.status, 200, `${week} uploaded`)
  }
  const shown = await run(['list', 'surveillance', 'sky-it', '2026-W41'], { OFFSIDE_TOKEN: token })
  t.equal(shown.code, 0, shown.err)
  t.match(shown.out, /1 under surveillance \(listed in 2026-W40, not in 2026-W41\)/)
  t.match(shown.out, /^ {2}203\.0\.113\.8$/m)
  t.notMatch(shown.out, /203\.0\.113\.7/, 'an entry still listed is not under surveillance')
  const bad = await run(['list', 'surveillance', 'sky-it', 'W41'], { OFFSIDE_TOKEN: token })
  t.equal(bad.code, 1, 'a malformed week fails with the API’s reason')
})
