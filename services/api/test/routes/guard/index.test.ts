import t from 'tap'
import { ADMIN, EVIDENCE, enforced, expectProblem, withLiveMatch } from '../../helper.js'

t.test('ops approve a held entry and it joins the enforced list; a rejected one stays out', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: {
      entries: [{ target: '188.114.97.7' }, { target: '2001:db8:2::/47' }, { target: '203.0.113.7' }],
      evidence: EVIDENCE,
    },
  })
  const held = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })
  t.equal(held.json().total, 2, 'two entries wait for review')
  const byTarget = new Map(
    (held.json().held as { id: string; target: string; reasons: { code: string }[] }[]).map((h) => [
      h.target,
      h,
    ]),
  )
  t.equal(
    byTarget.get('188.114.97.7')?.reasons[0]?.code,
    'protected-range',
    'Cloudflare held for protected range',
  )
  t.equal(
    byTarget.get('2001:db8:2::/47')?.reasons[0]?.code,
    'broader-than-soft-limit',
    'a /47 held as broader than /48',
  )
  t.same(await enforced(api), ['203.0.113.7'], 'held entries are not enforced')

  const wide = byTarget.get('2001:db8:2::/47')!
  t.equal(
    (await api.call(tokens.rightsholder, { method: 'POST', url: `/v1/guard/held/${wide.id}/approve` }))
      .statusCode,
    403,
    'a rightsholder cannot approve',
  )
  t.equal(
    (await api.call(ADMIN, { method: 'POST', url: `/v1/guard/held/${wide.id}/approve` })).statusCode,
    403,
    'the authority does not review the guard',
  )
  const approved = await api.call(tokens.ops, {
    method: 'POST',
    url: `/v1/guard/held/${wide.id}/approve`,
    payload: { reason: 'checked: the whole /47 is the pirate host' },
  })
  t.match(approved.json(), { status: 'approved', decidedBy: 'ops-tf' }, 'approved by ops')
  t.same(await enforced(api), ['2001:db8:2::/47', '203.0.113.7'], 'the approved entry is enforced at once')
  const again = await api.call(tokens.ops, { method: 'POST', url: `/v1/guard/held/${wide.id}/approve` })
  expectProblem(t, again, 409, 'OFFSIDE_CONFLICT', 'deciding twice is a conflict')

  const cloudflare = byTarget.get('188.114.97.7')!
  const rejected = await api.call(tokens.ops, {
    method: 'POST',
    url: `/v1/guard/held/${cloudflare.id}/reject`,
  })
  t.equal(rejected.json().status, 'rejected', 'rejected')
  t.same(await enforced(api), ['2001:db8:2::/47', '203.0.113.7'], 'the rejected entry stays out')
  t.equal(
    (await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })).json().total,
    0,
    'nothing left to review',
  )
  const missing = await api.call(tokens.ops, { method: 'POST', url: '/v1/guard/held/h_nothing/approve' })
  expectProblem(t, missing, 404, 'OFFSIDE_NOT_FOUND', 'an unknown held id is 404')
})

t.test(
  'a protected range added while a block is live removes the entries it covers at once (retroactive guard)',
  async (t) => {
    const { api, tokens, week } = await withLiveMatch(t)
    await api.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { entries: [{ target: '198.51.100.7' }, { target: '203.0.113.7' }], evidence: EVIDENCE },
    })
    await api.call(tokens.rightsholder, {
      method: 'POST',
      url: `/v1/lists/sky-it/${week}/entries`,
      payload: { entries: [{ target: '198.51.100.9' }], evidence: EVIDENCE },
    })
    t.same(await enforced(api), ['198.51.100.7', '198.51.100.9', '203.0.113.7'], 'all three enforced before')
    const current = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/protected' })
    t.equal(current.json().origin, 'default', 'the default table applies at first')
    const ranges = [
      ...current.json().ranges,
      { prefix: '198.51.100.0/24', name: 'Example Hosting shared front end' },
    ]
    t.equal(
      (
        await api.call(tokens.rightsholder, {
          method: 'PUT',
          url: '/v1/guard/protected',
          payload: { ranges },
        })
      ).statusCode,
      403,
      'a rightsholder cannot edit protected ranges',
    )
    const put = await api.call(tokens.ops, { method: 'PUT', url: '/v1/guard/protected', payload: { ranges } })
    t.equal(put.statusCode, 200, `ops replace the table: ${put.body}`)
    t.same(
      (put.json().newlyHeld as { target: string }[]).map((h) => h.target).sort(),
      ['198.51.100.7', '198.51.100.9'],
      'the covered list entry and hot addition are named as newly held',
    )
    t.same(await enforced(api), ['203.0.113.7'], 'they left enforcement at once')
    const held = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })
    t.match(
      held.json().held[0],
      {
        source: 'protected-range',
        reasons: [{ code: 'protected-range', name: 'Example Hosting shared front end' }],
      },
      'held with the new range named',
    )
    const upload = await api.call(tokens.rightsholder, {
      method: 'POST',
      url: `/v1/lists/sky-it/${week}/entries`,
      payload: { entries: [{ target: '198.51.100.50' }], evidence: EVIDENCE },
    })
    t.match(
      upload.json(),
      { accepted: 0, held: [{ reason: 'protected-range' }] },
      'new entries in the range are held too',
    )
    const bad = await api.call(tokens.ops, {
      method: 'PUT',
      url: '/v1/guard/protected',
      payload: { ranges: [{ prefix: '198.51.100.300/24', name: 'x' }] },
    })
    t.match(
      bad.json(),
      { status: 422, index: 0, field: 'ranges[0].prefix' },
      'a malformed range is refused with its index',
    )
    t.same(await enforced(api), ['203.0.113.7'], 'the refused change left the table as it was')
  },
)

t.test('reporter counters keep, per rightsholder, how many entries were held and rejected', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t)
  await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: {
      entries: [{ target: '188.114.97.7' }, { target: '10.0.0.0/8' }, { target: '203.0.113.7' }],
      evidence: EVIDENCE,
    },
  })
  const own = await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/guard/reporters/sky-it' })
  t.same(own.json(), { rightsholder: 'sky-it', held: 1, rejected: 1, revoked: 0 }, 'counts held and rejected')
  t.equal(
    (await api.call(tokens.other, { method: 'GET', url: '/v1/guard/reporters/sky-it' })).statusCode,
    403,
    'another rightsholder cannot read them',
  )
  t.equal(
    (await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/reporters/sky-it' })).statusCode,
    200,
    'ops can',
  )
  const rhHeld = await api.call(tokens.other, { method: 'GET', url: '/v1/guard/held' })
  t.equal(rhHeld.json().total, 0, "a rightsholder sees only its own held entries, not sky-it's")
  t.equal(
    (await api.call(tokens.isp, { method: 'GET', url: '/v1/guard/held' })).statusCode,
    403,
    'an ISP cannot see held entries',
  )
})
