import t from 'tap'
import { buildApp } from '../../../src/app.js'
import { ADMIN, actors, build, EVIDENCE, publish, withLiveMatch } from '../../helper.js'

t.test('the state shows the live window and every enforced entry with provenance and until', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: { entries: [{ target: '203.0.113.7' }, { target: '2001:db8::/48' }], evidence: EVIDENCE },
  })
  await publish(api)
  const state = await api.call(tokens.isp, { method: 'GET', url: '/v1/state' })
  t.equal(state.statusCode, 200, 'an ISP reads the state it enforces')
  t.match(
    state.json(),
    {
      revision: 1,
      enforced: 2,
      pending: 0,
      breaker: { pending: false },
      live: [{ event: 'm1', competition: 'serie-a', week }],
    },
    'one live window, two entries, as published in revision 1',
  )
  const entries = await api.call(tokens.isp, { method: 'GET', url: '/v1/state/entries' })
  const body = entries.json()
  t.equal(body.total, 2, 'both entries listed')
  const entry = body.entries.find((e: { prefix: string }) => e.prefix === '203.0.113.7')
  t.same(
    entry.provenance,
    [{ order: 'o1', rightsholder: 'sky-it', week, event: 'm1' }],
    'with its provenance',
  )
  t.match(entry, { events: ['m1'], justified: true }, 'published for the window that justifies it')
  const closes = Date.parse(state.json().live[0].closesAt)
  t.equal(Date.parse(entry.until), closes + api.config.graceMs, 'until is the window close plus grace')
  const filtered = await api.call(tokens.ops, { method: 'GET', url: '/v1/state/entries?target=2001:db8::1' })
  t.match(
    filtered.json(),
    { total: 1, entries: [{ prefix: '2001:db8::/48' }] },
    'entries can be filtered by address',
  )
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/state' })).statusCode,
    403,
    'a rightsholder does not read the state',
  )
  t.equal(
    (await api.call(null, { method: 'GET', url: '/v1/state/entries' })).statusCode,
    401,
    'nobody without a token',
  )
})

t.test('outside any window nothing is enforced, and the next window is announced', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  await api.call(ADMIN, { method: 'PUT', url: '/v1/competitions/serie-a', payload: { name: 'Serie A' } })
  const kickoff = Date.now() + 3 * 3600_000
  await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/events/later',
    payload: {
      competition: 'serie-a',
      kickoff: new Date(kickoff).toISOString(),
      end: new Date(kickoff + 7200_000).toISOString(),
    },
  })
  await publish(api)
  const state = await api.call(tokens.ops, { method: 'GET', url: '/v1/state' })
  t.match(state.json(), { enforced: 0 }, 'nothing enforced')
  t.same(state.json().live, [], 'nothing live')
  t.same(
    state.json().upcoming.map((w: { event: string }) => w.event),
    ['later'],
    'one upcoming',
  )
})

t.test(
  'a revision published through one process is seen at once by another API process, and a staged window opens on time',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const second = await buildApp({ config: api.config, redis: api.redis, logger: false })
    t.teardown(() => second.close())
    const enforced = async () =>
      (
        await second.inject({
          method: 'GET',
          url: '/v1/state',
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json().enforced
    t.equal(await enforced(), 0, 'nothing enforced yet (and the second process has cached that)')
    await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
    })
    t.equal(await enforced(), 0, 'an upload nobody has published yet is not enforced')
    await publish(api)
    t.equal(await enforced(), 1, 'the revision shows in the second process at once')

    const opensIn = 1500
    const kickoff = Date.now() + opensIn
    await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/events/m1',
      payload: {
        competition: 'serie-a',
        kickoff: new Date(kickoff).toISOString(),
        end: new Date(kickoff + 3600_000).toISOString(),
        preMinutes: 0,
      },
    })
    t.equal(await enforced(), 1, 'moved into the future but not yet published: agents still enforce it')
    await publish(api)
    t.equal(await enforced(), 0, 'published as staged ahead: nothing enforced')
    await new Promise((resolve) => setTimeout(resolve, opensIn + 200))
    t.equal(await enforced(), 1, 'enforced once the staged group starts, without any revision')
  },
)
