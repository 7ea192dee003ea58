import { createDb, createQueue, type RecomputeJob, recordBreakerTrip } from '@offside/store'
import t from 'tap'
import { ADMIN, actors, build, expectProblem, type TestApi } from '../../helper.js'

/** What the scheduler files when a list upload would grow two hosts into a /24. */
function trip(api: TestApi, now: number) {
  const db = createDb(api.redis, api.config.keyPrefix)
  return recordBreakerTrip(db, {
    now,
    cause: { kind: 'list-upload', requestedAt: now, rightsholder: 'sky-it' },
    previous: { v4Addresses: 2, v6Prefixes48: 0 },
    next: { v4Addresses: 256, v6Prefixes48: 0 },
    factor: 128,
    reason: {
      code: 'circuit-breaker',
      message: 'the revision would grow enforcement from 2 to 256 IPv4 addresses',
    },
    proposal: {
      groups: [{ id: 'w:m1', event: 'm1', from: now, until: now + 3600_000, prefixes: ['203.0.113.0/24'] }],
      added: ['203.0.113.0/25', '203.0.113.128/25'],
    },
  })
}

async function queuedCauses(api: TestApi): Promise<RecomputeJob['cause'][]> {
  const queue = createQueue('recompute', { redisUrl: api.config.redisUrl, keyPrefix: api.config.keyPrefix })
  try {
    return (await queue.getJobs(['waiting', 'prioritized', 'delayed'])).map((job) => job.data.cause)
  } finally {
    await queue.close()
  }
}

t.test(
  'ops and the authority see a pending circuit-breaker hold with its sizes, factor and cause',
  async (t) => {
    const api = await build(t)
    const tokens = await actors(api)
    const hold = await trip(api, Date.now())

    const listed = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/breaker' })
    t.equal(listed.statusCode, 200, 'ops may list holds')
    t.match(
      listed.json().holds,
      [
        {
          id: hold.id,
          status: 'pending',
          cause: { kind: 'list-upload', rightsholder: 'sky-it' },
          previous: { v4Addresses: 2 },
          next: { v4Addresses: 256 },
          factor: 128,
          added: 2,
          reason: { code: 'circuit-breaker' },
        },
      ],
      'the hold names what tripped, how much, and why',
    )
    t.equal(
      (await api.call(ADMIN, { method: 'GET', url: '/v1/guard/breaker' })).statusCode,
      200,
      'the authority may read holds',
    )
    t.equal(
      (await api.call(tokens.rightsholder, { method: 'GET', url: '/v1/guard/breaker' })).statusCode,
      403,
      'a rightsholder may not',
    )
  },
)

t.test('ops approve a hold: it is audited and the scheduler is asked to publish at once', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  const hold = await trip(api, Date.now())
  const url = `/v1/guard/breaker/${hold.id}/approve`

  t.equal(
    (await api.call(tokens.rightsholder, { method: 'POST', url })).statusCode,
    403,
    'not a rightsholder',
  )
  expectProblem(
    t,
    await api.call(ADMIN, { method: 'POST', url }),
    403,
    'OFFSIDE_FORBIDDEN',
    'not the authority either',
  )
  const approved = await api.call(tokens.ops, {
    method: 'POST',
    url,
    payload: { reason: 'matchday of 40 games' },
  })
  t.equal(approved.statusCode, 200, 'ops approve')
  t.match(
    approved.json(),
    { id: hold.id, status: 'approved', decidedBy: 'ops-tf', decisionReason: 'matchday of 40 games' },
    'the hold records who decided and why',
  )
  t.match(
    await queuedCauses(api),
    [{ kind: 'guard-change', reason: 'breaker-approved' }],
    'a recompute is requested so the held growth goes out',
  )
  const audit = await api.call(ADMIN, { method: 'GET', url: '/v1/audit' })
  t.ok(
    (audit.json().records as { action: string; subject: string }[]).some(
      (record) => record.action === 'guard.breaker-approve' && record.subject === `breaker:${hold.id}`,
    ),
    'the approval is in the audit log',
  )
  t.same(
    (await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/breaker' })).json().holds,
    [],
    'nothing pending any more',
  )

  const again = await api.call(tokens.ops, { method: 'POST', url: `/v1/guard/breaker/${hold.id}/reject` })
  expectProblem(t, again, 409, 'OFFSIDE_CONFLICT', 'a decided hold cannot be decided again')
  t.match(again.headers['content-type'], /application\/problem\+json/, 'as problem+json')
  t.match(again.json(), { field: 'id', detail: /already approved/ }, 'naming the earlier decision')

  const unknown = await api.call(tokens.ops, { method: 'POST', url: '/v1/guard/breaker/b_nothing/approve' })
  expectProblem(t, unknown, 404, 'OFFSIDE_NOT_FOUND', 'an unknown hold is 404')
  t.match(unknown.headers['content-type'], /application\/problem\+json/, 'as problem+json')
})

t.test('ops reject a hold: it is kept, marked rejected, and listed under its status', async (t) => {
  const api = await build(t)
  const tokens = await actors(api)
  const hold = await trip(api, Date.now())
  const rejected = await api.call(tokens.ops, { method: 'POST', url: `/v1/guard/breaker/${hold.id}/reject` })
  t.equal(rejected.json().status, 'rejected', 'rejected')
  t.match(
    await queuedCauses(api),
    [{ kind: 'guard-change', reason: 'breaker-rejected' }],
    'a recompute is requested so later changes are not held behind it',
  )
  const all = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/breaker?status=rejected' })
  t.same(
    all.json().holds.map((h: { id: string; status: string }) => [h.id, h.status]),
    [[hold.id, 'rejected']],
    'the rejected hold stays on record, the only one rejected',
  )
  const bad = await api.call(tokens.ops, { method: 'GET', url: '/v1/guard/breaker?status=maybe' })
  expectProblem(t, bad, 400, 'OFFSIDE_VALIDATION', 'an unknown status filter is refused')
})
