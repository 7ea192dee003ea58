import { readSnapshot } from '@offside/store'
import t from 'tap'
import {
  ADMIN,
  actors,
  build,
  EVIDENCE,
  liveMatch,
  problemOf,
  publish,
  seasonOf,
  type TestApi,
} from './helper.js'

/** The names agents are told to block, once the scheduler has published the change. */
async function publishedNames(api: TestApi): Promise<string[]> {
  await publish(api)
  return (await readSnapshot(api.app.db)).groups.flatMap((group) => group.names ?? [])
}

t.test(
  'a weekly list takes names beside addresses; each name is judged by the guard for names',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const { week } = await liveMatch(api)
    const response = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: {
        evidence: EVIDENCE,
        entries: [
          { target: '203.0.113.7' },
          { target: 'Live.Pirate-Streams.example.' },
          { target: 'bücher.example' },
          { target: 'drive.usercontent.google.com' },
          { target: 'github.io' },
          { target: '*.pirate-streams.example' },
        ],
      },
    })
    t.equal(response.statusCode, 200, `upload accepted: ${response.body}`)
    const body = response.json()
    t.equal(body.accepted, 3, 'the address and two names are accepted')
    t.match(
      body.held,
      [{ index: 3, target: 'drive.usercontent.google.com', reason: 'protected-suffix' }],
      'the Google Drive name is held',
    )
    t.match(
      body.held[0].reasons[0],
      { suffix: 'google.com', name: 'Google', source: /Google Drive/ },
      'naming its suffix',
    )
    t.match(
      body.rejected,
      [
        { index: 4, target: 'github.io', reason: 'public-suffix' },
        { index: 5, target: '*.pirate-streams.example', reason: 'wildcard-not-allowed' },
      ],
      'a public suffix and a wildcard the order does not allow are rejected',
    )
    t.same(
      (await publishedNames(api)).sort(),
      ['live.pirate-streams.example', 'xn--bcher-kva.example'],
      'the accepted names reach the published group normalised (lower case, A-labels)',
    )
    const listed = await api.call(tokens.rightsholder, {
      method: 'GET',
      url: `/v1/lists/sky-it/${week}/entries`,
    })
    t.same(
      (listed.json().entries as { target: string }[]).map((entry) => entry.target).sort(),
      ['203.0.113.7', 'live.pirate-streams.example', 'xn--bcher-kva.example'],
      'the list shows names as stored',
    )
  },
)

t.test('a malformed name refuses the whole upload with its field and reason code', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  const { week } = await liveMatch(api)
  for (const [target, reason] of [
    [`${'a'.repeat(64)}.example`, 'name-label-too-long'],
    [`${'abcdefghi.'.repeat(25)}example`, 'name-too-long'],
    ['bad_name.example', 'name-label-invalid'],
    ['xn--zz.example', 'name-idna-invalid'],
    ['www.*.example', 'name-wildcard-invalid'],
  ] as const) {
    const response = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { evidence: EVIDENCE, entries: [{ target: 'ok.example' }, { target }] },
    })
    const problem = problemOf(response)
    t.equal(problem.status, 422, `${reason}: refused`)
    t.match(problem.type, /application\/problem\+json/, 'as a problem')
    t.match(problem.body, { code: 'OFFSIDE_ENTRY_MALFORMED', field: 'entries[1].target', reason }, reason)
  }
  const none = await api.call(tokens.rightsholder, { method: 'GET', url: `/v1/lists/sky-it/${week}` })
  t.equal(none.statusCode, 404, 'nothing was stored')
})

t.test(
  'a CSV list and a hot addition take names too; a wildcard passes where the order allows it',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const { week } = await liveMatch(api)
    const order = await api.call(ADMIN, {
      method: 'PUT',
      url: '/v1/orders/o1',
      payload: {
        rightsholder: 'sky-it',
        competitions: ['serie-a'],
        season: seasonOf(Date.now()),
        reference: '123/26/DDA',
        allowWildcards: true,
      },
    })
    t.equal(order.statusCode, 200, `order allows wildcards: ${order.body}`)
    t.equal(order.json().allowWildcards, true, 'and says so')
    const csv = `target,note\nlive.pirate-streams.example,main stream\n*.cdn.pirate-streams.example,mirrors\n`
    const upload = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}?evidence=${EVIDENCE}`,
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    })
    t.equal(upload.statusCode, 200, `CSV accepted: ${upload.body}`)
    t.equal(upload.json().accepted, 2, 'the name and the wildcard are accepted')
    const hot = await api.call(tokens.rightsholder, {
      method: 'POST',
      url: `/v1/lists/sky-it/${week}/entries`,
      payload: { evidence: EVIDENCE, entries: [{ target: 'backup.pirate-streams.example' }] },
    })
    t.equal(hot.statusCode, 200, `hot addition accepted: ${hot.body}`)
    t.same(
      (await publishedNames(api)).sort(),
      ['*.cdn.pirate-streams.example', 'backup.pirate-streams.example', 'live.pirate-streams.example'],
      'the hot-added name is published with the list',
    )
  },
)
