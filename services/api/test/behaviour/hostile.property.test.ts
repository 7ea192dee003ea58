// Spans every JSON route: random or mutated bodies get 2xx or a 4xx problem+json, and a refusal writes nothing.
import fc from 'fast-check'
import t from 'tap'
import { ADMIN, EVIDENCE, withLiveMatch } from '../helper.js'

// Hostile input at scale: every JSON body the API takes, random and as mutations of a valid one.
// Each answer is 2xx or a 4xx problem+json naming a code — never a 5xx, never a crash — and a
// refused request writes nothing (the audit head and the state generation stay where they were).
// OFFSIDE_PROPERTY_RUNS raises the cases per route for a long run on demand.
const numRuns = Number(process.env.OFFSIDE_PROPERTY_RUNS ?? 40)

t.test(
  'every JSON body, random or a mutated valid one, is answered 2xx or 4xx problem+json and a refusal writes nothing',
  async (t) => {
    // The public budget is raised so the complaint route is judged on its bodies, not rate-limited.
    const { api, tokens, week } = await withLiveMatch(t, { publicRateLimit: 1_000_000 })
    const filed = await api.call(null, {
      method: 'POST',
      url: '/v1/complaints',
      payload: { target: '203.0.113.7', contact: 'noc@example.net', reason: 'lawful service' },
    })
    const complaint = filed.json().id as string
    const routes: { method: 'POST' | 'PUT'; url: string; token: string | null; valid: unknown }[] = [
      { method: 'POST', url: '/v1/orgs', token: ADMIN, valid: { id: 'isp-z', kind: 'isp', name: 'Z' } },
      { method: 'POST', url: '/v1/tokens', token: ADMIN, valid: { org: 'isp-a', role: 'isp' } },
      {
        method: 'PUT',
        url: '/v1/competitions/serie-b',
        token: ADMIN,
        valid: { name: 'Serie B', timeZone: 'Europe/Rome', preMinutes: 15, postMinutes: 30 },
      },
      {
        method: 'PUT',
        url: '/v1/events/m9',
        token: ADMIN,
        valid: {
          competition: 'serie-a',
          kickoff: '2026-11-29T20:45:00+01:00',
          end: '2026-11-29T22:40:00+01:00',
        },
      },
      {
        method: 'POST',
        url: '/v1/events:import',
        token: ADMIN,
        valid: {
          events: [
            {
              id: 'm8',
              competition: 'serie-a',
              kickoff: '2026-11-29T20:45:00+01:00',
              end: '2026-11-29T22:40:00+01:00',
            },
          ],
        },
      },
      {
        method: 'PUT',
        url: '/v1/orders/o9',
        token: ADMIN,
        valid: { rightsholder: 'sky-it', competitions: ['serie-a'], season: '2026-27', reference: '9/26' },
      },
      {
        method: 'PUT',
        url: `/v1/lists/sky-it/${week}`,
        token: tokens.rightsholder,
        valid: { entries: [{ target: '203.0.113.7' }], evidence: EVIDENCE },
      },
      {
        method: 'POST',
        url: `/v1/lists/sky-it/${week}/entries`,
        token: tokens.rightsholder,
        valid: { entries: [{ target: '203.0.113.8' }], evidence: EVIDENCE },
      },
      {
        method: 'PUT',
        url: '/v1/guard/protected',
        token: tokens.ops,
        valid: { ranges: [{ prefix: '192.0.2.0/28', name: 'shared' }] },
      },
      {
        method: 'POST',
        url: '/v1/complaints',
        token: null,
        valid: { target: '203.0.113.7', contact: 'noc@example.net', reason: 'x' },
      },
      {
        method: 'POST',
        url: `/v1/complaints/${complaint}/decision`,
        token: ADMIN,
        valid: { outcome: 'reject', reason: 'no' },
      },
    ]
    const prefix = api.config.keyPrefix
    const marks = async () =>
      JSON.stringify(
        await Promise.all([api.redis.get(`${prefix}audit:head`), api.redis.get(`${prefix}state-generation`)]),
      )

    const mutated = (valid: unknown) =>
      fc.oneof(
        fc.jsonValue(),
        fc
          .record({ key: fc.constantFrom(...Object.keys(valid as object)), value: fc.jsonValue() })
          .map(({ key, value }) => ({ ...(valid as object), [key]: value })),
        fc.constantFrom(...Object.keys(valid as object)).map((key) => {
          const { [key]: _dropped, ...rest } = valid as Record<string, unknown>
          return rest
        }),
        fc
          .record({ key: fc.string(), value: fc.jsonValue() })
          .map(({ key, value }) => ({ ...(valid as object), [key]: value })),
      )

    const failures: string[] = []
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(mutated(route.valid), async (body) => {
          const before = await marks()
          const res = await api.call(route.token, {
            method: route.method,
            url: route.url,
            payload: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          })
          if (res.statusCode >= 500)
            failures.push(
              `${route.method} ${route.url} ${JSON.stringify(body).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`,
            )
          if (res.statusCode >= 400) {
            const problem =
              res.headers['content-type']?.toString().includes('application/problem+json') &&
              typeof res.json().code === 'string'
            if (!problem) failures.push(`${route.url}: ${res.statusCode} without a problem+json code`)
            if ((await marks()) !== before)
              failures.push(`${route.url}: refused with ${res.statusCode} but wrote`)
          }
          return res.statusCode < 500
        }),
        { numRuns },
      )
    }
    t.same(
      failures,
      [],
      `${routes.length} routes × ${numRuns} bodies: no 5xx, every refusal problem+json with a code, and none wrote`,
    )
  },
)
