import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type BreakerHold, decideBreakerHold, listBreakerHolds } from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { iso, isoField } from '../../views.js'
import { routeOptions } from '../options.js'
import { decisionOptions, decisions } from './decision.js'

const Space = Type.Object({ v4Addresses: Type.Integer(), v6Prefixes48: Type.Integer() })

export const BreakerHoldView = Type.Object({
  id: Type.String(),
  /** pending (waits for ops), approved, rejected, or superseded (the growth went away by itself). */
  status: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** The change that first tripped the breaker, and the latest one folded into the hold. */
  cause: Type.Unknown(),
  latestCause: Type.Unknown(),
  recomputes: Type.Integer(),
  previous: Space,
  next: Space,
  /** next ÷ previous on the family that grew most; null when it grew from nothing. */
  factor: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.Object({ code: Type.String(), message: Type.String() }),
  /** Prefixes the held revision adds to what agents enforce. */
  added: Type.Integer(),
  /** The decision is honoured until then (the end of the last window the hold covers). */
  lapsesAt: Type.String(),
  decidedAt: Type.Optional(Type.String()),
  decidedBy: Type.Optional(Type.String()),
  decisionReason: Type.Optional(Type.String()),
})

const BreakerList = Type.Object({ holds: Type.Array(BreakerHoldView) })

function holdView(hold: BreakerHold) {
  const { createdAt, updatedAt, lapsesAt, decidedAt, reason, ...rest } = hold
  return {
    ...rest,
    reason: { code: reason.code, message: reason.message },
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
    lapsesAt: iso(lapsesAt),
    ...isoField('decidedAt', decidedAt),
  }
}

/**
 * Circuit-breaker holds (SPEC rule 6, docs/operations.md "Circuit breaker"): the scheduler holds a
 * revision that would enlarge enforcement too much; ops approve it (published at once) or reject it
 * (the growth stays out).
 */
const breakerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/guard/breaker',
    routeOptions(
      { roles: ['ops', 'authority'] },
      'guard',
      {
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([
                Type.Literal('pending'),
                Type.Literal('approved'),
                Type.Literal('rejected'),
                Type.Literal('superseded'),
                Type.Literal('all'),
              ]),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
      { 200: BreakerList },
    ),
    async (request) => {
      const holds = await listBreakerHolds(app.db, {
        status: request.query.status ?? 'pending',
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      })
      return { holds: holds.map(holdView) }
    },
  )

  for (const action of decisions) {
    app.post(`/guard/breaker/:id/${action}`, decisionOptions(BreakerHoldView), async (request) => {
      const reason = request.body?.reason
      const result = await decideBreakerHold(app.db, request.params.id, {
        approve: action === 'approve',
        by: identityOf(request).org,
        now: Date.now(),
        ...(reason ? { reason } : {}),
      })
      if (result.status === 'not-found') {
        throw problem(errors.NotFound, `no circuit-breaker hold "${request.params.id}"`, { field: 'id' })
      }
      if (result.status === 'already-decided') {
        throw problem(
          errors.Conflict,
          `circuit-breaker hold "${result.hold.id}" was already ${result.hold.status}`,
          { field: 'id' },
        )
      }
      const { hold } = result
      await app.audit(request, `guard.breaker-${action}`, `breaker:${hold.id}`, {
        cause: hold.cause.kind,
        latestCause: hold.latestCause.kind,
        previous: hold.previous,
        next: hold.next,
        factor: hold.factor,
        added: hold.added,
        reason: reason ?? null,
      })
      await app.recompute({
        kind: 'guard-change',
        reason: action === 'approve' ? 'breaker-approved' : 'breaker-rejected',
      })
      return holdView(hold)
    })
  }
}

export default breakerRoutes
