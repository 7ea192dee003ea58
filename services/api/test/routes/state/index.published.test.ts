import { computeGroups } from '@offside/core'
import { loadStateInputs, recordBreakerTrip } from '@offside/store'
import t from 'tap'
import { actors, build, EVIDENCE, liveMatch, publish, type TestApi } from '../../helper.js'

const lookup = async (api: TestApi, target: string) =>
  (
    await api.call(null, { method: 'GET', url: `/v1/public/lookup?target=${encodeURIComponent(target)}` })
  ).json()

async function entries(api: TestApi, token: string, query = ''): Promise<Record<string, unknown>[]> {
  return (await api.call(token, { method: 'GET', url: `/v1/state/entries${query}` })).json().entries
}

/** A live match with sky-it's list of three addresses uploaded (nothing published yet). */
async function listed(api: TestApi) {
  const tokens = await actors(api)
  const match = await liveMatch(api)
  const upload = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${match.week}`,
    payload: {
      entries: [{ target: '203.0.113.7' }, { target: '198.51.100.0/24' }, { target: '2001:db8::/48' }],
      evidence: EVIDENCE,
    },
  })
  if (upload.statusCode !== 200) throw new Error(upload.body)
  return { tokens, ...match }
}

t.test(
  'during a circuit-breaker hold only what was published is enforced, and the growth shows once a revision publishes it',
  async (t) => {
    const api = await build(t)
    const { tokens } = await listed(api)
    const now = Date.now()
    // What the scheduler does when the breaker trips: publish only what agents already hold (here
    // one address), file the hold with the groups it keeps back.
    const full = computeGroups(
      await loadStateInputs(api.app.db, now, { graceMs: api.config.graceMs }),
      36 * 3600_000,
    )
    const allowed = full.map((group) => ({ ...group, prefixes: ['203.0.113.7/32'] }))
    await publish(api, allowed)
    const hold = await recordBreakerTrip(api.app.db, {
      now,
      cause: { kind: 'list-upload', requestedAt: now },
      previous: { v4Addresses: 1, v6Prefixes48: 0 },
      next: { v4Addresses: 257, v6Prefixes48: 1 },
      factor: 257,
      reason: { code: 'circuit-breaker', message: 'enforced space would grow 257×' },
      proposal: { groups: full, added: ['198.51.100.0/24', '2001:db8::/48'] },
    })

    t.same(
      (await entries(api, tokens.isp)).map((entry) => entry.prefix),
      ['203.0.113.7'],
      'the entries list only the published address',
    )
    t.match(
      (await api.call(tokens.ops, { method: 'GET', url: '/v1/state' })).json(),
      { revision: 1, enforced: 1, pending: 2, breaker: { pending: true, hold: { id: hold.id, added: 2 } } },
      'the state counts what agents enforce and says a breaker hold is pending',
    )
    t.match(
      await entries(api, tokens.ops, '?status=pending'),
      [
        {
          prefix: '198.51.100.0/24',
          reason: 'circuit-breaker',
          hold: hold.id,
          provenance: [{ order: 'o1' }],
        },
        { prefix: '2001:db8::/48', reason: 'circuit-breaker', hold: hold.id },
      ],
      'the held growth is listed as pending, with the hold that keeps it out',
    )
    t.match(
      await lookup(api, '198.51.100.9'),
      { blocked: false, matches: [] },
      'the public look-up says a held address is not blocked',
    )
    t.match(
      await lookup(api, '203.0.113.7'),
      { blocked: true, matches: [{ prefix: '203.0.113.7', orders: [{ id: 'o1' }] }] },
      'and a published one is, under its order',
    )

    const approved = await api.call(tokens.ops, {
      method: 'POST',
      url: `/v1/guard/breaker/${hold.id}/approve`,
    })
    t.equal(approved.statusCode, 200, 'ops approve the hold')
    t.match(
      (await api.call(tokens.ops, { method: 'GET', url: '/v1/state' })).json(),
      { enforced: 1, breaker: { pending: false } },
      'approval alone enforces nothing until the scheduler publishes',
    )
    t.match(
      await entries(api, tokens.ops, '?status=pending'),
      [{ reason: 'not-published' }, { reason: 'not-published' }],
      'the growth is now pending publication',
    )
    await publish(api)
    t.same(
      (await entries(api, tokens.isp)).map((entry) => entry.prefix).sort(),
      ['198.51.100.0/24', '2001:db8::/48', '203.0.113.7'],
      'after the revision with the growth every entry is enforced',
    )
    t.match(
      await lookup(api, '198.51.100.9'),
      { blocked: true, matches: [{ prefix: '198.51.100.0/24' }] },
      'and the look-up says so',
    )
  },
)

t.test(
  'an entry whose published group has passed its until is not shown, even without a closing revision',
  async (t) => {
    const api = await build(t)
    const { tokens, event } = await listed(api)
    const now = Date.now()
    const endsIn = 1500
    await publish(api, [
      { id: `w:${event}`, event, from: now - 60_000, until: now + endsIn, prefixes: ['203.0.113.7/32'] },
    ])
    t.match(
      await entries(api, tokens.isp),
      [
        {
          prefix: '203.0.113.7',
          until: new Date(now + endsIn).toISOString(),
          events: [event],
          justified: true,
        },
      ],
      'enforced until the published group ends, not until the stored window would',
    )
    t.match(await lookup(api, '203.0.113.7'), { blocked: true }, 'blocked while the group runs')
    await new Promise((resolve) => setTimeout(resolve, endsIn + 200))
    t.same(await entries(api, tokens.isp), [], 'agents stop by themselves at until, so nothing is shown')
    t.match(
      (await api.call(tokens.isp, { method: 'GET', url: '/v1/state' })).json(),
      { revision: 1, enforced: 0, live: [] },
      'no live window and nothing enforced, with no newer revision',
    )
    t.match(await lookup(api, '203.0.113.7'), { blocked: false }, 'the look-up says it is no longer blocked')
  },
)

t.test(
  'a block the stored inputs no longer justify is shown until a revision removes it, flagged as such',
  async (t) => {
    const api = await build(t)
    const { tokens, event } = await listed(api)
    await publish(api)
    const suspended = await api.call(tokens.authority, {
      method: 'POST',
      url: '/v1/orders/o1/suspend',
      payload: { reason: 'under review' },
    })
    t.equal(suspended.statusCode, 200, 'the order is suspended')
    t.match(
      await entries(api, tokens.ops, '?target=203.0.113.7'),
      [{ prefix: '203.0.113.7', events: [event], provenance: [], justified: false }],
      'agents still enforce it: shown with the event it was published for, flagged unjustified',
    )
    t.match(
      await lookup(api, '203.0.113.7'),
      { blocked: true, matches: [{ prefix: '203.0.113.7', orders: [] }] },
      'the public look-up tells the truth: still blocked',
    )
    await publish(api)
    t.same(await entries(api, tokens.ops), [], 'the revision removing it clears the state')
    t.match(await lookup(api, '203.0.113.7'), { blocked: false }, 'and the look-up')
  },
)

t.test('with no revision published, an uploaded list is pending, not enforced', async (t) => {
  const api = await build(t)
  const { tokens } = await listed(api)
  t.match(
    (await api.call(tokens.ops, { method: 'GET', url: '/v1/state' })).json(),
    { revision: 0, enforced: 0, pending: 3, live: [] },
    'the scheduler has published nothing: nothing enforced, three pending',
  )
  t.match(
    await entries(api, tokens.ops, '?status=pending&target=203.0.113.7'),
    [{ prefix: '203.0.113.7', reason: 'not-published' }],
    'pending entries can be filtered and say why',
  )
  t.match(
    await lookup(api, '203.0.113.7'),
    { blocked: false },
    'the look-up does not claim a block no agent enforces',
  )
})
