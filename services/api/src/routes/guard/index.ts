import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { defaultGuardConfig, displayPrefix, type ProtectedRange, parseTarget } from '@offside/core'
import {
  decideHeld,
  getHeld,
  getProtectedRanges,
  getReporterCounters,
  listPendingHeld,
  putProtectedRanges,
} from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { auditInput } from '../../plugins/audit.js'
import { assertOwnOrg, identityOf, rightsholderScope } from '../../plugins/auth.js'
import { Id, pageQuery } from '../../schemas/common.js'
import {
  HeldList,
  HeldView,
  ProtectedResult,
  ProtectedView,
  PutProtected,
  ReporterView,
} from '../../schemas/guard.js'
import { heldView } from '../../views.js'
import { routeOptions } from '../options.js'
import breakerRoutes from './breaker.js'
import { decisionOptions, decisions } from './decision.js'
import protectedSuffixRoutes from './protected-suffixes.js'
import * as table from './protected-table.js'
import { holdNewlyProtected } from './retroactive.js'

/** Guard review (held entries), the protected ranges, and reporter accountability (SPEC rules 6, 12, 13). */
const guardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(breakerRoutes)
  await app.register(protectedSuffixRoutes)

  app.get(
    '/guard/held',
    {
      config: { roles: ['ops', 'authority', 'rightsholder'] },
      schema: {
        tags: ['guard'],
        querystring: pageQuery(10_000, { rightsholder: Type.Optional(Type.String()) }),
        response: { 200: HeldList },
      },
    },
    async (request) => {
      const rightsholder = rightsholderScope(request, request.query.rightsholder)
      const { total, entries } = await listPendingHeld(app.db, {
        ...(rightsholder ? { rightsholder } : {}),
        ...(request.query.limit ? { limit: request.query.limit } : {}),
        ...(request.query.offset ? { offset: request.query.offset } : {}),
      })
      return { total, held: entries.map(heldView) }
    },
  )

  for (const action of decisions) {
    app.post(`/guard/held/:id/${action}`, decisionOptions(HeldView), async (request) => {
      const existing = await getHeld(app.db, request.params.id)
      if (!existing) throw new errors.NotFound(`no held entry "${request.params.id}"`)
      if (existing.status !== 'pending') {
        throw problem(errors.Conflict, `held entry "${existing.id}" was already ${existing.status}`, {
          field: 'id',
        })
      }
      const reason = request.body.reason
      // The decision and its audit record commit together, checked again inside the transaction:
      // an upload that replaced the entry's list, or another decision, may have come first.
      const outcome = await decideHeld(app.db, existing.id, {
        approve: action === 'approve',
        by: identityOf(request).org,
        now: Date.now(),
        ...(reason ? { reason } : {}),
        audit: (entry) =>
          auditInput(request, `guard.${action}`, `held:${entry.id}`, {
            rightsholder: entry.rightsholder,
            week: entry.week,
            target: entry.target,
            reasons: entry.reasons.map((r) => r.code),
            reason: reason ?? null,
          }),
      })
      if (outcome.status === 'missing') {
        throw new errors.NotFound(`held entry "${existing.id}" is gone: its list was replaced`)
      }
      if (outcome.status === 'already-decided') {
        throw problem(errors.Conflict, `held entry "${existing.id}" was already ${outcome.entry.status}`, {
          field: 'id',
        })
      }
      const decided = outcome.entry
      if (action === 'approve') {
        await app.recompute({
          kind: 'guard-change',
          rightsholder: existing.rightsholder,
          week: existing.week,
          prefixes: [existing.target],
        })
      }
      return heldView(decided)
    })
  }

  app.get('/guard/protected', table.readOptions(ProtectedView), async () => {
    const { origin, rows } = table.inForce(
      await getProtectedRanges(app.db),
      defaultGuardConfig.protectedRanges,
    )
    return { origin, ranges: rows }
  })

  app.put('/guard/protected', table.replaceOptions(PutProtected, ProtectedResult), async (request) => {
    const ranges: ProtectedRange[] = request.body.ranges.map((range, index) => {
      const parsed = parseTarget(range.prefix)
      if (!parsed.ok || parsed.target.kind !== 'prefix') {
        throw problem(errors.InvalidInput, `range ${index}: ${parsed.ok ? 'not a prefix' : parsed.message}`, {
          index,
          field: `ranges[${index}].prefix`,
          reason: parsed.ok ? 'malformed' : parsed.reason,
        })
      }
      return {
        ...range,
        prefix: parsed.target.prefix,
        source: range.source ?? `operator:${identityOf(request).org}`,
      }
    })
    await putProtectedRanges(app.db, ranges)
    const { config: current, asnOf } = await app.currentGuard()
    const newlyHeld = await holdNewlyProtected(
      app.db,
      app.guardWith({ protectedRanges: ranges, protectedSuffixes: current.protectedSuffixes }),
      Date.now(),
      asnOf,
    )
    await app.audit(request, 'guard.protected', 'guard:protected', {
      ranges: ranges.length,
      newlyHeld: table.auditedNewlyHeld(newlyHeld),
    })
    await app.recompute({ kind: 'guard-change' })
    return { ranges: ranges.length, newlyHeld: table.newlyHeldRefs(newlyHeld, displayPrefix) }
  })

  app.get(
    '/guard/reporters/:rightsholder',
    routeOptions(
      { roles: ['ops', 'authority', 'rightsholder'] },
      'guard',
      {
        params: Type.Object({ rightsholder: Id }, { additionalProperties: false }),
      },
      { 200: ReporterView },
    ),
    async (request) => {
      assertOwnOrg(request, request.params.rightsholder, { readAll: true })
      return {
        rightsholder: request.params.rightsholder,
        ...(await getReporterCounters(app.db, request.params.rightsholder)),
      }
    },
  )
}

export default guardRoutes
