import t from 'tap'
import { ADMIN, EVIDENCE, enforced, expectProblem, withLiveMatch } from '../../helper.js'

t.test(
  'a weekly list is judged per entry: accepted ones are enforced, Cloudflare is held, a /8 is rejected',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const response = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: {
        entries: [
          { target: '203.0.113.7', evidence: EVIDENCE, criterion: 'sole-or-predominant-purpose' },
          { target: '198.51.100.0/24', evidence: EVIDENCE },
          { target: '188.114.97.7', evidence: EVIDENCE },
          { target: '10.0.0.0/8', evidence: EVIDENCE },
        ],
      },
    })
    t.equal(response.statusCode, 200, `upload accepted: ${response.body}`)
    const body = response.json()
    t.equal(body.accepted, 2, 'two entries accepted')
    t.equal(body.held.length, 1, 'one entry held')
    t.match(
      body.held[0],
      { index: 2, target: '188.114.97.7', reason: 'protected-range' },
      'Cloudflare is held with its reason',
    )
    t.match(body.held[0].reasons[0], { name: /Cloudflare/ }, 'the held reason names Cloudflare')
    t.match(body.rejected[0], { index: 3, target: '10.0.0.0/8' }, 'the /8 is rejected with its index')
    const now = await enforced(api)
    t.same(
      now.sort(),
      ['198.51.100.0/24', '203.0.113.7'],
      'only the accepted entries are enforced in the live window',
    )
  },
)

t.test(
  'a CSV list streams in with a header, notes and evidence columns; list evidence may come in the query',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const csv = `target,note,evidence\n203.0.113.10,stream A,${EVIDENCE}\n# a comment\n203.0.113.11,stream B,\n`
    const response = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}?evidence=${EVIDENCE}`,
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    })
    t.equal(response.statusCode, 200, `CSV accepted: ${response.body}`)
    t.equal(response.json().accepted, 2, 'both rows accepted')
    const plain = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}?evidence=${EVIDENCE}`,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      payload: '203.0.113.20\n203.0.113.21\n',
    })
    t.equal(plain.json().accepted, 2, 'a CSV with only the target column works too')
    t.same(
      (await enforced(api)).sort(),
      ['203.0.113.20', '203.0.113.21'],
      'the new list replaced the old one',
    )
  },
)

t.test(
  'uploading the same list again is idempotent: same version, nothing rewritten, no new audit record',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const payload = { entries: [{ target: '203.0.113.7' }, { target: '188.114.97.7' }], evidence: EVIDENCE }
    const first = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload,
    })
    const auditBefore = (await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })).json().checked
    const second = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload,
    })
    t.equal(second.json().version, first.json().version, 'same version')
    t.equal(second.json().unchanged, true, 'reported as unchanged')
    t.same(second.json().held, first.json().held, 'the same verdicts come back')
    const auditAfter = (await api.call(ADMIN, { method: 'GET', url: '/v1/audit/verify' })).json().checked
    t.equal(auditAfter, auditBefore, 'no audit record for a no-op')
    const held = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })
    t.equal(held.json().total, 1, 'the held entry is filed once')
  },
)

t.test(
  'a list with one malformed entry is refused whole with its index, and the previous list stays enforced',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    const good = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
    })
    t.equal(good.statusCode, 200, 'first list stored')
    const bad = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: {
        entries: [{ target: '198.51.100.1' }, { target: '198.51.100.2' }, { target: '198.51.100.300' }],
        evidence: EVIDENCE,
      },
    })
    expectProblem(t, bad, 422, 'OFFSIDE_ENTRY_MALFORMED', 'refused')
    t.match(bad.headers['content-type'], /application\/problem\+json/, 'problem+json')
    t.match(
      bad.json(),
      { status: 422, index: 2, field: 'entries[2].target', reason: String, detail: /198\.51\.100\.300/ },
      'names the entry',
    )
    t.same(await enforced(api), ['203.0.113.7'], 'the previous list is intact and enforced')
    const summary = await api.call(tokens.rightsholder, { method: 'GET', url: `/v1/lists/sky-it/${week}` })
    t.equal(summary.json().version, good.json().version, 'the pointer still names the previous version')

    const hostBits = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      headers: { 'content-type': 'text/csv' },
      payload: `203.0.113.9,,${EVIDENCE}\n203.0.113.5/24,,${EVIDENCE}\n`,
    })
    t.match(
      hostBits.json(),
      { status: 422, index: 1, reason: 'host-bits-set' },
      'a CSV row with host bits set is named by index',
    )
    const noEvidence = await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { entries: [{ target: '203.0.113.9' }] },
    })
    t.match(
      noEvidence.json(),
      { status: 422, index: 0, reason: 'evidence-missing' },
      'an entry without evidence is malformed (SPEC rule 12)',
    )
    t.same(await enforced(api), ['203.0.113.7'], 'still the first list after every refusal')
  },
)

t.test('bad input classes are refused with problem+json naming the field', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t, { listBodyLimit: 4096 })
  const url = `/v1/lists/sky-it/${week}`
  const malformedJson = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url,
    headers: { 'content-type': 'application/json' },
    payload: '{"entries": [',
  })
  t.match(malformedJson.json(), { status: 400, field: 'body' }, 'malformed JSON is 400')
  const unknown = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url,
    payload: { entries: [{ target: '203.0.113.7', colour: 'red' }], evidence: EVIDENCE },
  })
  t.match(
    unknown.json(),
    { status: 400, field: 'entries[0].colour', index: 0, reason: 'unknown field' },
    'an unknown field is refused',
  )
  const wrongType = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url,
    payload: { entries: 'all of them' },
  })
  t.match(wrongType.json(), { status: 400, field: 'entries' }, 'a wrong type is refused')
  const badEvidence = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url,
    payload: { entries: [{ target: '203.0.113.7', evidence: 'md5:abc' }] },
  })
  t.match(
    badEvidence.json(),
    { status: 400, field: 'entries[0].evidence', index: 0 },
    'bad evidence names the entry',
  )
  const badWeek = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: '/v1/lists/sky-it/2026-W60',
    payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
  })
  t.match(badWeek.json(), { status: 422, field: 'week' }, 'a bad week key is refused')
  const badType = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url,
    headers: { 'content-type': 'application/xml' },
    payload: '<entries/>',
  })
  t.match(badType.json(), { status: 415 }, 'an unsupported content type is 415')
  t.match(badType.headers['content-type'], /problem\+json/, '415 is problem+json')
  const tooBig = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url,
    payload: {
      entries: Array.from({ length: 200 }, (_, i) => ({ target: `203.0.113.${i}` })),
      evidence: EVIDENCE,
    },
  })
  t.match(tooBig.json(), { status: 413 }, 'a JSON body over the limit is 413')
  const tooBigCsv = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `${url}?evidence=${EVIDENCE}`,
    headers: { 'content-type': 'text/csv' },
    payload: Array.from({ length: 400 }, (_, i) => `203.0.113.${i % 250}`).join('\n'),
  })
  t.match(tooBigCsv.json(), { status: 413 }, 'a streamed CSV body over the limit is 413')
  const csvElsewhere = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/orders/o9',
    headers: { 'content-type': 'text/csv' },
    payload: 'a,b',
  })
  expectProblem(
    t,
    csvElsewhere,
    415,
    'OFFSIDE_UNSUPPORTED_MEDIA_TYPE',
    'a route that does not take CSV refuses it',
  )
  for (const response of [malformedJson, unknown, wrongType, badWeek, tooBig]) {
    t.notMatch(response.body, /at .*\.ts:\d+/, 'no stack trace in the answer')
  }
})

t.test('only the owning rightsholder writes its list; other roles are refused', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  const payload = { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE }
  const url = `/v1/lists/sky-it/${week}`
  t.equal(
    (await api.call(tokens.other, { method: 'PUT', url, payload })).statusCode,
    403,
    'another rightsholder is refused',
  )
  expectProblem(
    t,
    await api.call(tokens.isp, { method: 'PUT', url, payload }),
    403,
    'OFFSIDE_FORBIDDEN',
    'an ISP is refused',
  )
  expectProblem(
    t,
    await api.call(tokens.ops, { method: 'PUT', url, payload }),
    403,
    'OFFSIDE_FORBIDDEN',
    'ops are refused',
  )
  t.equal(
    (await api.call(ADMIN, { method: 'PUT', url, payload })).statusCode,
    403,
    'the authority does not write lists',
  )
  expectProblem(
    t,
    await api.call(null, { method: 'PUT', url, payload }),
    401,
    'OFFSIDE_UNAUTHORIZED',
    'no token is 401',
  )
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'PUT', url, payload })).statusCode,
    200,
    'the owner may',
  )
  t.equal(
    (await api.call(tokens.other, { method: 'GET', url })).statusCode,
    403,
    'another rightsholder cannot read it',
  )
  t.equal(
    (await api.call(tokens.isp, { method: 'GET', url })).statusCode,
    403,
    'an ISP cannot read the list itself',
  )
  t.equal((await api.call(tokens.ops, { method: 'GET', url })).statusCode, 200, 'ops read it')
  t.equal(
    (await api.call(ADMIN, { method: 'GET', url: `${url}/entries` })).statusCode,
    200,
    'the authority reads its entries',
  )
  const own = await api.call(tokens.other, { method: 'GET', url: '/v1/lists' })
  t.same(own.json().lists, [], 'a rightsholder lists only its own lists')
})

t.test('hot additions during a live match are judged and enforced at once', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
  })
  const hot = await api.call(tokens.rightsholder, {
    method: 'POST',
    url: `/v1/lists/sky-it/${week}/entries`,
    payload: {
      entries: [{ target: '203.0.113.99', note: 'new mirror' }, { target: '188.114.97.7' }],
      evidence: EVIDENCE,
    },
  })
  t.equal(hot.statusCode, 200, `hot addition accepted: ${hot.body}`)
  t.match(
    hot.json(),
    { accepted: 1, held: [{ target: '188.114.97.7', reason: 'protected-range' }] },
    'verdicts per entry',
  )
  t.equal(hot.json().held.length, 1, 'only Cloudflare is held')
  t.same(
    (await enforced(api)).sort(),
    ['203.0.113.7', '203.0.113.99'],
    'the addition is enforced with the list',
  )
  const again = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
  })
  t.equal(
    again.json().unchanged,
    false,
    're-uploading the weekly list after hot additions is a real replacement',
  )
  t.same(await enforced(api), ['203.0.113.7'], 'the whole-week upload replaces the hot additions')
  await api.call(tokens.rightsholder, {
    method: 'POST',
    url: `/v1/lists/sky-it/${week}/entries`,
    payload: { entries: [{ target: '203.0.113.99', note: 'new mirror' }], evidence: EVIDENCE },
  })
  const summary = await api.call(tokens.rightsholder, { method: 'GET', url: `/v1/lists/sky-it/${week}` })
  t.equal(summary.json().hotAdditions, 1, 'the summary counts the hot addition')
  const entries = await api.call(tokens.rightsholder, {
    method: 'GET',
    url: `/v1/lists/sky-it/${week}/entries`,
  })
  t.match(
    entries.json(),
    {
      total: 2,
      entries: [
        { target: '203.0.113.7', source: 'upload' },
        { target: '203.0.113.99', source: 'hot-addition', note: 'new mirror' },
      ],
    },
    'the list reads back with where each entry came from',
  )
  const other = await api.call(tokens.other, {
    method: 'POST',
    url: `/v1/lists/sky-it/${week}/entries`,
    payload: { entries: [{ target: '203.0.113.98' }], evidence: EVIDENCE },
  })
  expectProblem(t, other, 403, 'OFFSIDE_FORBIDDEN', 'another rightsholder cannot add to it')
})

t.test('entries from a rightsholder without a current order are held, not enforced', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  const response = await api.call(tokens.other, {
    method: 'PUT',
    url: `/v1/lists/dazn/${week}`,
    payload: { entries: [{ target: '203.0.113.50' }], evidence: EVIDENCE },
  })
  t.match(
    response.json(),
    { accepted: 0, held: [{ reason: 'no-current-order' }] },
    'held for no current order',
  )
  t.equal(response.json().held.length, 1, 'the one entry, held once')
})
