/**
 * The circuit breaker end to end: real Redis, API and scheduler processes (the scheduler configured
 * by its OFFSIDE_BREAKER_* environment), the dashboard process. A list that grows
 * enforcement past the factor shows up in the Guard panel's data, stays out of enforcement, and is
 * published once ops approve it from the dashboard.
 */
import { isoWeekKey, seasonOf } from '@offside/core'
import { startStack } from '@offside/testkit'
import t from 'tap'
import type { DashboardView } from '../../src/view.js'

const EVIDENCE = `sha256:${'ab'.repeat(32)}`

const stack = await startStack(t, {
  services: ['api', 'scheduler', 'dashboard'],
  env: {
    // Documentation ranges are small: growth up to 4 × max(previous, 4 addresses) passes.
    OFFSIDE_BREAKER_MAX_GROWTH_FACTOR: '4',
    OFFSIDE_BREAKER_MIN_BASELINE_V4: '4',
    OFFSIDE_DASHBOARD_POLL_MS: '250',
  },
  logLevel: 'warn',
})
const competition = { id: 'serie-a', name: 'Serie A', timeZone: 'Europe/Rome', preMinutes: 0, postMinutes: 5 }
const kickoff = Date.now() + 1000
const week = isoWeekKey(kickoff, competition.timeZone)
const { id: _id, ...competitionBody } = competition
await stack.api.ok('PUT', '/v1/competitions/serie-a', competitionBody)
await stack.api.ok('POST', '/v1/orgs', { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' })
await stack.api.ok('POST', '/v1/orgs', { id: 'task-force', kind: 'ops', name: 'Task force' })
const ops = (await stack.api.ok<{ token: string }>('POST', '/v1/tokens', { org: 'task-force', role: 'ops' }))
  .token
const sky = (
  await stack.api.ok<{ token: string }>('POST', '/v1/tokens', { org: 'sky-it', role: 'rightsholder' })
).token
await stack.api.ok('PUT', '/v1/orders/o1', {
  rightsholder: 'sky-it',
  competitions: ['serie-a'],
  season: seasonOf(kickoff, competition),
  reference: '123/26/DDA',
})
await stack.api.ok('PUT', '/v1/events/m1', {
  competition: 'serie-a',
  kickoff: new Date(kickoff).toISOString(),
  end: new Date(kickoff + 20 * 60_000).toISOString(),
})

async function view(): Promise<DashboardView> {
  const response = await fetch(`${stack.url('dashboard')}/api/view`, {
    headers: { authorization: `Bearer ${ops}` },
  })
  return (await response.json()) as DashboardView
}

async function until(predicate: (v: DashboardView) => boolean, what: string): Promise<DashboardView> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const v = await view()
    if (predicate(v)) return v
    if (Date.now() > deadline)
      throw new Error(`${what} never happened: ${JSON.stringify(v.guard)} ${v.totals.enforcedEntries}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test(
  'a list that grows enforcement past the factor is held in the Guard panel until ops approve it there',
  async (t) => {
    await stack.api.as(sky).ok('PUT', `/v1/lists/sky-it/${week}`, {
      entries: [{ target: '203.0.113.7' }, { target: '203.0.113.9' }],
      evidence: EVIDENCE,
    })
    await until((v) => v.totals.enforcedEntries === 2, 'the first list enforced')
    t.pass('a normal first list is enforced without a hold')

    await stack.api.as(sky).ok('PUT', `/v1/lists/sky-it/${week}`, {
      entries: [{ target: '203.0.113.0/24' }],
      evidence: EVIDENCE,
    })
    const held = await until((v) => v.guard.breaker.length === 1, 'a breaker hold')
    const hold = held.guard.breaker[0]!
    t.match(
      hold,
      { cause: 'list-upload', factor: 128, previous: { v4Addresses: 2 }, next: { v4Addresses: 256 } },
      'the panel shows the cause, the sizes and the growth factor',
    )
    t.equal(held.totals.enforcedEntries, 2, 'agents still enforce the two hosts, not the /24')

    const approve = await fetch(`${stack.url('dashboard')}/api/breaker/${hold.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'checked with the rightsholder' }),
    })
    t.equal(approve.status, 200, 'ops approve from the dashboard')
    const after = await until(
      (v) => v.guard.breaker.length === 0 && v.totals.enforcedAddresses.v4 === '256',
      'the approved growth enforced',
    )
    t.equal(after.totals.enforcedEntries, 1, 'the /24 is published once approved')

    const again = await fetch(`${stack.url('dashboard')}/api/breaker/${hold.id}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
      body: '{}',
    })
    t.equal(again.status, 409, 'a decided hold cannot be decided again; the API says why')
  },
)
