import { readSnapshot } from '@offside/store'
import t from 'tap'
import { ADMIN, EVIDENCE, problemOf, publish, seasonOf, type TestApi, withLiveMatch } from '../../helper.js'

/** The names agents are told to block, once the scheduler has published the change. */
async function publishedNames(api: TestApi): Promise<string[]> {
  await publish(api)
  return (await readSnapshot(api.app.db)).groups.flatMap((group) => group.names ?? [])
}

t.test(
  'a weekly list takes names beside addresses; each name is judged by the guard for names',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
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
  const { api, tokens, week } = await withLiveMatch(t)
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
    const { api, tokens, week } = await withLiveMatch(t)
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

t.test(
  'the state counts names beside prefixes; the look-up, complaints and revocations take a name',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const upload = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: {
        evidence: EVIDENCE,
        entries: [
          { target: '203.0.113.7' },
          { target: 'live.pirate-streams.example' },
          { target: 'shop.lawful.example' },
        ],
      },
    })
    t.equal(upload.statusCode, 200, `upload: ${upload.body}`)
    await publish(api)

    const state = (await api.call(ADMIN, { method: 'GET', url: '/v1/state' })).json()
    t.equal(state.enforced, 1, 'enforced still counts prefixes only')
    t.equal(state.enforcedNames, 2, 'enforcedNames counts the names')
    const entries = (await api.call(ADMIN, { method: 'GET', url: '/v1/state/entries' })).json()
    t.equal(entries.total, 3, 'entries list prefixes and names')
    t.match(
      entries.entries,
      [
        { prefix: '203.0.113.7' },
        {
          name: 'live.pirate-streams.example',
          provenance: [{ order: 'o1', rightsholder: 'sky-it' }],
          justified: true,
        },
        { name: 'shop.lawful.example' },
      ],
      'each name with its provenance and until',
    )
    const filtered = (
      await api.call(ADMIN, { method: 'GET', url: '/v1/state/entries?target=Shop.Lawful.Example.' })
    ).json()
    t.same(
      filtered.entries.map((entry: { name?: string }) => entry.name),
      ['shop.lawful.example'],
      'a name filter finds that name only',
    )

    const lookup = await api.call(null, {
      method: 'GET',
      url: '/v1/public/lookup?target=SHOP.lawful.example',
    })
    t.equal(lookup.statusCode, 200, `look-up: ${lookup.body}`)
    t.match(
      lookup.json(),
      {
        target: 'shop.lawful.example',
        blocked: true,
        matches: [{ name: 'shop.lawful.example', orders: [{ id: 'o1', reference: '123/26/DDA' }] }],
      },
      'the public look-up answers for one name: blocked, under which order, until when',
    )
    t.equal(lookup.json().matches.length, 1, 'and shows no other entry')
    const unlisted = await api.call(null, {
      method: 'GET',
      url: '/v1/public/lookup?target=www.lawful.example',
    })
    t.match(unlisted.json(), { blocked: false, matches: [] }, 'a name not listed is not blocked')
    const wildcard = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=*.lawful.example' })
    t.match(
      problemOf(wildcard),
      { status: 422, body: { code: 'OFFSIDE_TARGET_TOO_BROAD', field: 'target', reason: 'not-one-name' } },
      'a wildcard would list many names: refused',
    )
    const bad = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=bad_name.example' })
    t.match(
      problemOf(bad),
      { status: 422, body: { code: 'OFFSIDE_INVALID_INPUT', field: 'target', reason: 'name-label-invalid' } },
      'malformed',
    )

    const filed = await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: { target: 'Shop.Lawful.example', contact: 'noc@example.net', reason: 'our shop is lawful' },
    })
    t.equal(filed.statusCode, 201, `complaint about a name filed: ${filed.body}`)
    const wide = await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: { target: '*.lawful.example', contact: 'noc@example.net', reason: 'all of it' },
    })
    t.match(
      problemOf(wide),
      { status: 422, body: { reason: 'not-one-name' } },
      'a complaint about a wildcard is refused',
    )
    const { id } = filed.json()
    const outside = await api.call(tokens.authority, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: { outcome: 'revoke', reason: 'lawful', prefixes: ['live.pirate-streams.example'] },
    })
    t.match(
      problemOf(outside),
      {
        status: 422,
        body: { code: 'OFFSIDE_INVALID_INPUT', field: 'prefixes[0]', reason: 'outside-complaint' },
      },
      'a decision cannot revoke another name than the complaint',
    )
    const decided = await api.call(tokens.authority, {
      method: 'POST',
      url: `/v1/complaints/${id}/decision`,
      payload: { outcome: 'revoke', reason: 'lawful' },
    })
    t.equal(decided.statusCode, 200, `decision: ${decided.body}`)
    t.match(decided.json(), {
      status: 'upheld',
      target: 'shop.lawful.example',
      lifts: [{ prefix: 'shop.lawful.example', orders: ['o1'] }],
    })
    t.same(
      (await publishedNames(api)).sort(),
      ['live.pirate-streams.example'],
      'the upheld complaint lifts the name from the published group',
    )
    const after = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=shop.lawful.example' })
    t.match(after.json(), { blocked: false }, 'the look-up says it is not blocked any more')
    const audit = (await api.call(ADMIN, { method: 'GET', url: '/v1/audit?limit=1000' })).json()
    t.ok(
      JSON.stringify(audit).includes('shop.lawful.example'),
      'the audit records the complaint and decision about the name',
    )
  },
)

t.test(
  'adding a protected suffix lifts the enforced names under it at once and files them for review',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: {
        evidence: EVIDENCE,
        entries: [{ target: 'edge.newcdn.example' }, { target: 'live.pirate-streams.example' }],
      },
    })
    t.same(
      (await publishedNames(api)).sort(),
      ['edge.newcdn.example', 'live.pirate-streams.example'],
      'both enforced',
    )

    const before = (await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/protected-suffixes' })).json()
    t.equal(before.origin, 'default', 'the default table applies until ops change it')
    t.ok(
      before.suffixes.some((s: { suffix: string }) => s.suffix === 'googleusercontent.com'),
      'with Google',
    )
    const bad = await api.call(tokens.ops, {
      method: 'PUT',
      url: '/v1/guard/protected-suffixes',
      payload: { suffixes: [{ suffix: '*.newcdn.example', name: 'New CDN' }] },
    })
    t.match(
      problemOf(bad),
      {
        status: 422,
        body: { code: 'OFFSIDE_INVALID_INPUT', field: 'suffixes[0].suffix', reason: 'not-a-suffix' },
      },
      'a wildcard is not a suffix',
    )
    const put = await api.call(tokens.ops, {
      method: 'PUT',
      url: '/v1/guard/protected-suffixes',
      payload: { suffixes: [...before.suffixes, { suffix: 'NewCDN.example', name: 'New CDN' }] },
    })
    t.equal(put.statusCode, 200, `suffixes stored: ${put.body}`)
    t.match(
      put.json(),
      { newlyHeld: [{ target: 'edge.newcdn.example', rightsholder: 'sky-it' }] },
      'the name is held',
    )
    t.same((await publishedNames(api)).sort(), ['live.pirate-streams.example'], 'and no longer enforced')
    const held = (await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })).json()
    t.match(
      JSON.stringify(held),
      /edge\.newcdn\.example.*protected-suffix.*newcdn\.example/,
      'ops see it in review, naming the suffix',
    )
    const judged = await api.call(tokens.rightsholder, {
      method: 'POST',
      url: `/v1/lists/sky-it/${week}/entries`,
      payload: { evidence: EVIDENCE, entries: [{ target: 'other.newcdn.example' }] },
    })
    t.match(judged.json().held, [{ reason: 'protected-suffix' }], 'new names under it are held by the guard')
  },
)
