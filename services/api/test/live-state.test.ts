import t from 'tap'
import { createLiveState } from '../src/live-state.js'
import { ADMIN, EVIDENCE, liveMatch, publish, seasonOf, withLiveMatch } from './helper.js'

// Two rightsholders list nested, overlapping and shared prefixes and names; a hot addition and a
// revocation follow. Whatever a question asks about, the state near it must answer as the whole
// state does: the complaint decision and the public look-up read only the state near their target.
const SKY = [
  '203.0.113.0/25',
  '203.0.113.7',
  '203.0.113.200',
  '198.51.100.0/24',
  '2001:db8:1::/48',
  '2001:db8:1::5',
  'live.pirate-streams.example',
  '*.mirror.example',
]
const DAZN = [
  // Enough entries that a question reads this list through its index, not a scan.
  ...Array.from({ length: 5000 }, (_, i) => `2001:db8:3::${(i + 1).toString(16)}`),
  '203.0.113.7',
  '203.0.113.64/26',
  '198.51.100.128/25',
  '2001:db8:2::9',
  '*.pirate-streams.example',
]
const PREFIX_QUESTIONS = [
  '203.0.113.7/32',
  '203.0.113.8/32',
  '203.0.113.0/24',
  '203.0.113.64/27',
  '203.0.113.100/32',
  '203.0.113.96/28',
  '203.0.113.200/32',
  '198.51.100.130/32',
  '198.51.100.0/23',
  '192.0.2.1/32',
  '192.0.2.77/32',
  '192.0.2.0/24',
  '2001:db8:1::5/128',
  '2001:db8:1:2::/64',
  '2001:db8:2::9/128',
  '2001:db8::/32',
  '2001:db8:3::10/128',
  '2001:db8:3::/120',
  '2001:db8:3::/48',
]
const NAME_QUESTIONS = [
  'live.pirate-streams.example',
  'other.pirate-streams.example',
  'a.b.mirror.example',
  'mirror.example',
  'unlisted.example',
]

t.test('the state near a prefix or a name answers exactly as the whole state does', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  await liveMatch(api, { event: 'm1', order: 'o2', rightsholder: 'dazn' })
  for (const [order, rightsholder] of [
    ['o1', 'sky-it'],
    ['o2', 'dazn'],
  ]) {
    const allowed = await api.call(ADMIN, {
      method: 'PUT',
      url: `/v1/orders/${order}`,
      payload: {
        rightsholder,
        competitions: ['serie-a'],
        season: seasonOf(Date.now()),
        reference: '123/26/DDA',
        allowWildcards: true,
      },
    })
    t.equal(allowed.statusCode, 200, `order ${order} allows wildcards: ${allowed.body}`)
  }
  for (const [token, rightsholder, entries] of [
    [tokens.rightsholder, 'sky-it', SKY],
    [tokens.other, 'dazn', DAZN],
  ] as const) {
    const response = await api.call(token, {
      method: 'PUT',
      url: `/v1/lists/${rightsholder}/${week}`,
      payload: { evidence: EVIDENCE, entries: entries.map((target) => ({ target })) },
    })
    t.equal(response.statusCode, 200, `${rightsholder}'s list is accepted: ${response.body}`)
  }
  await publish(api)
  // A hot addition not published yet (pending), and a revocation inside a listed /25.
  const hot = await api.call(tokens.rightsholder, {
    method: 'POST',
    url: `/v1/lists/sky-it/${week}/entries`,
    payload: { evidence: EVIDENCE, entries: [{ target: '192.0.2.77' }] },
  })
  t.equal(hot.statusCode, 200, `the hot addition is accepted: ${hot.body}`)
  const filed = await api.call(null, {
    method: 'POST',
    url: '/v1/complaints',
    payload: { target: '203.0.113.100', contact: 'noc@example.net', reason: 'our shop shares this host' },
  })
  t.equal(filed.statusCode, 201, 'a complaint about one host inside the listed /25 is filed')
  const decided = await api.call(ADMIN, {
    method: 'POST',
    url: `/v1/complaints/${filed.json().id}/decision`,
    payload: { outcome: 'revoke', reason: 'shared host' },
  })
  t.equal(decided.statusCode, 200, `and upheld: ${decided.body}`)
  t.ok(decided.json().liftsTotal > 0, 'the decision lifts the host from the /25')

  // Two readers: the whole state, once computed, is cached and would answer the near questions too.
  const { liveState } = createLiveState(api.app.db, api.config.graceMs)
  const { liveStateNear } = createLiveState(api.app.db, api.config.graceMs)
  const now = Date.now()
  const whole = await liveState(now)
  t.ok(whole.entries.length > 5 && whole.names.length > 1, 'the state holds prefixes and names')
  t.ok(whole.pending.length > 0, 'and a pending entry (the unpublished hot addition)')
  const view = (entries: { prefix: string; until: number; provenance: unknown[] }[]) =>
    entries.map((entry) => JSON.stringify(entry)).sort()
  for (const prefix of PREFIX_QUESTIONS) {
    const near = await liveStateNear(now, { prefixes: [prefix] })
    t.same(view(near.touching(prefix)), view(whole.touching(prefix)), `${prefix}: the same enforced entries`)
    t.same(
      view(near.pendingTouching(prefix)),
      view(whole.pendingTouching(prefix)),
      `${prefix}: the same pending entries`,
    )
  }
  for (const name of NAME_QUESTIONS) {
    const near = await liveStateNear(now, { names: [name] })
    const names = (entries: { name: string }[]) => entries.map((entry) => JSON.stringify(entry)).sort()
    t.same(
      names(near.namesBlocking(name)),
      names(whole.namesBlocking(name)),
      `${name}: the same blocking names`,
    )
    t.same(
      names(near.namesMatching(name)),
      names(whole.namesMatching(name)),
      `${name}: the same names under it`,
    )
  }
  t.ok(
    whole.touching('203.0.113.7/32').length > 0 &&
      whole.namesBlocking('other.pirate-streams.example').length > 0,
    'the questions do find enforced entries (the comparison is not between two empty answers)',
  )
  t.equal(
    (await api.call(ADMIN, { method: 'GET', url: '/v1/state' })).statusCode,
    200,
    'the API still answers',
  )
})
