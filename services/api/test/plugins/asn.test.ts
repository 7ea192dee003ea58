/**
 * The guard on the real offline IP-to-ASN database (SPEC rule 6). Real announced addresses appear
 * here only as list entries and look-ups (data); no packet is ever sent to them.
 */
import { defaultAsnDir } from '@offside/asn-db'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { ADMIN, actors, build, EVIDENCE, liveMatch, publish, type TestApi, withLiveMatch } from '../helper.js'

t.test('an address of a shared network is held naming the ASN even with no protected range', async (t) => {
  const { api, tokens, week } = await withLiveMatch(t, { asnDbDir: defaultAsnDir() })
  const cleared = await api.call(tokens.ops, {
    method: 'PUT',
    url: '/v1/guard/protected',
    payload: { ranges: [] },
  })
  t.equal(cleared.statusCode, 200, 'ops removed every protected range')

  const upload = await api.call(tokens.rightsholder, {
    method: 'PUT',
    url: `/v1/lists/sky-it/${week}`,
    payload: {
      entries: [{ target: '151.101.1.1' }, { target: '188.114.97.7' }, { target: '203.0.113.7' }],
      evidence: EVIDENCE,
    },
  })
  t.equal(upload.statusCode, 200)
  t.match(upload.json(), {
    accepted: 1,
    held: [
      {
        target: '151.101.1.1',
        reason: 'shared-infrastructure',
        reasons: [{ code: 'shared-infrastructure', asn: 54113, name: 'Fastly', organisation: /Fastly/ }],
        announcedBy: [{ asn: 54113 }],
      },
      {
        target: '188.114.97.7',
        reason: 'shared-infrastructure',
        reasons: [{ code: 'shared-infrastructure', asn: 13335, message: /AS13335/ }],
      },
    ],
  })

  const held = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' })
  t.match(
    held.json().held.find((entry: { target: string }) => entry.target === '188.114.97.7'),
    { announcedBy: [{ asn: 13335, organisation: /Cloudflare/ }], reasons: [{ asn: 13335 }] },
    'the held list shows who announces the entry',
  )

  await publish(api)
  const entries = await api.call(ADMIN, { method: 'GET', url: '/v1/state/entries' })
  t.same(
    entries.json().entries.map((entry: { prefix: string }) => entry.prefix),
    ['203.0.113.7'],
    'only the entry no shared network announces is enforced',
  )
})

t.test('the public look-up shows which network announces the address', async (t) => {
  const api = await build(t, { asnDbDir: defaultAsnDir() })
  const cdn = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=151.101.1.1' })
  t.match(cdn.json(), { target: '151.101.1.1', blocked: false, announcedBy: [{ asn: 54113 }] })
  const nobody = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=203.0.113.7' })
  t.same(nobody.json().announcedBy, [], 'documentation addresses are announced by nobody')
})

t.test('with the ASN database off, look-ups carry no announcedBy and the guard checks no ASN', async (t) => {
  const api = await build(t)
  const lookup = await api.call(null, { method: 'GET', url: '/v1/public/lookup?target=151.101.1.1' })
  t.equal(lookup.json().announcedBy, undefined)
})

t.test(
  'the retroactive check pulls an enforced entry a shared network announces and reports it like a protected range',
  async (t) => {
    // Listed while the deployment had no ASN database: 151.101.1.1 (Fastly) is accepted and enforced.
    const before = await build(t)
    const tokens = await actors(before)
    const { week } = await liveMatch(before)
    await before.call(tokens.ops, { method: 'PUT', url: '/v1/guard/protected', payload: { ranges: [] } })
    const upload = await before.call(tokens.rightsholder, {
      method: 'PUT',
      url: `/v1/lists/sky-it/${week}`,
      payload: { entries: [{ target: '151.101.1.1' }, { target: '203.0.113.7' }], evidence: EVIDENCE },
    })
    t.match(upload.json(), { accepted: 2 })
    await publish(before)
    const enforced = async (api: TestApi) =>
      (await api.call(ADMIN, { method: 'GET', url: '/v1/state/entries' }))
        .json()
        .entries.map((entry: { prefix: string }) => entry.prefix)
    t.same(await enforced(before), ['151.101.1.1', '203.0.113.7'], 'both enforced without the ASN check')

    // The same deployment with the database: the guard's retroactive check runs on the next change.
    const redis = new Redis(before.config.redisUrl)
    const config = testConfig({
      redisUrl: before.config.redisUrl,
      adminToken: ADMIN,
      asnDbDir: defaultAsnDir(),
    })
    const app = await buildApp({ config, redis, logger: false })
    t.teardown(async () => {
      await app.close()
      redis.disconnect()
    })
    const after: TestApi = {
      app,
      redis,
      config,
      call: (token, options) =>
        app.inject({ ...options, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
    }
    const change = await after.call(tokens.ops, {
      method: 'PUT',
      url: '/v1/guard/protected',
      payload: { ranges: [{ prefix: '192.0.2.0/24', name: 'a test range' }] },
    })
    t.equal(change.statusCode, 200)
    t.match(
      change.json().newlyHeld,
      [{ rightsholder: 'sky-it', week, target: '151.101.1.1' }],
      'the Fastly address is reported among the newly held',
    )
    t.equal(change.json().newlyHeld.length, 1, 'and nothing else')
    const held = (await after.call(tokens.ops, { method: 'GET', url: '/v1/guard/held' }))
      .json()
      .held.find((entry: { target: string }) => entry.target === '151.101.1.1')
    t.match(
      held,
      {
        source: 'shared-infrastructure',
        reasons: [{ code: 'shared-infrastructure', asn: 54113, name: 'Fastly' }],
        announcedBy: [{ asn: 54113 }],
      },
      'held for review naming the ASN',
    )
    await publish(after)
    t.same(await enforced(after), ['203.0.113.7'], 'it left enforcement at once')

    const approve = await after.call(tokens.ops, {
      method: 'POST',
      url: `/v1/guard/held/${held.id}/approve`,
      payload: { reason: 'a dedicated streaming server, checked' },
    })
    t.equal(approve.statusCode, 200)
    await publish(after)
    t.same(await enforced(after), ['151.101.1.1', '203.0.113.7'], 'approved by ops, it is enforced again')
  },
)
