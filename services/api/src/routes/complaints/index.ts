import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkComplaintTarget, displayPrefix, isNameText, parseTarget } from '@offside/core'
import {
  type Complaint,
  type ComplaintDecision,
  decideComplaint,
  fileComplaint,
  getComplaint,
  getOrder,
  listComplaints,
  setOrderSuspended,
} from '@offside/store'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { ApiConfig } from '../../config.js'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { IdParams, pageQuery, problemResponses } from '../../schemas/common.js'
import {
  ComplaintList,
  ComplaintView,
  DecideComplaint,
  DecidedComplaint,
  DecisionPreview,
  FileComplaint,
  Filed,
} from '../../schemas/complaints.js'
import { complaintView, iso } from '../../views.js'
import { routeOptions } from '../options.js'
import { canonicalPrefix, liftsView, planDecision } from './plan.js'

/**
 * A complaint's target: one address, a prefix no broader than the guard's soft limit, or one
 * name. Broader complaints (and wildcards) are refused, because upholding one would lift
 * everything inside it.
 */
async function complaintTarget(app: FastifyInstance, text: string): Promise<string> {
  const parsed = parseTarget(text, { allowNames: true })
  if (parsed.ok && parsed.target.kind === 'name') {
    if (parsed.target.wildcard) {
      throw problem(errors.TargetTooBroad, 'a complaint names one name, not a wildcard', {
        field: 'target',
        reason: 'not-one-name',
      })
    }
    return parsed.target.name
  }
  if (!parsed.ok)
    throw problem(errors.InvalidInput, parsed.message, { field: 'target', reason: parsed.reason })
  if (parsed.target.kind !== 'prefix') return canonicalPrefix(text, 'target')
  const { config } = await app.currentGuard()
  const scope = checkComplaintTarget(parsed.target, config.softLimit)
  if (!scope.ok)
    throw problem(errors.TargetTooBroad, scope.message, { field: 'target', reason: scope.reason })
  return parsed.target.prefix
}

/** Complaints (SPEC rule 7): anyone files one, free; the authority decides. */
const complaintRoutes: FastifyPluginAsyncTypebox<{ config: ApiConfig }> = async (app, { config }) => {
  app.post(
    '/complaints',
    {
      config: { public: true, rateLimit: { max: config.publicRateLimit, timeWindow: '1 minute' } },
      bodyLimit: config.publicBodyLimit,
      schema: {
        tags: ['complaints'],
        security: [],
        body: FileComplaint,
        response: { 201: Filed, ...problemResponses },
      },
    },
    async (request, reply) => {
      const target = await complaintTarget(app, request.body.target)
      const complaint = await fileComplaint(app.db, { ...request.body, target, now: Date.now() })
      await app.audit(request, 'complaint.file', `complaint:${complaint.id}`, { target })
      return reply
        .code(201)
        .send({ id: complaint.id, status: complaint.status, filedAt: iso(complaint.filedAt) })
    },
  )

  const readers = { roles: ['authority' as const, 'ops' as const] }

  app.get(
    '/complaints',
    {
      config: readers,
      schema: {
        tags: ['complaints'],
        querystring: pageQuery(1000, {
          status: Type.Optional(
            Type.Union([Type.Literal('open'), Type.Literal('upheld'), Type.Literal('rejected')]),
          ),
        }),
        response: { 200: ComplaintList },
      },
    },
    async (request) => {
      // Anyone may file complaints, so the list grows without bound: it is read in pages.
      const all = await listComplaints(app.db, request.query.status)
      const offset = request.query.offset ?? 0
      const limit = request.query.limit ?? 100
      return { total: all.length, complaints: all.slice(offset, offset + limit).map(complaintView) }
    },
  )

  app.get(
    '/complaints/:id',
    routeOptions(
      readers,
      'complaints',
      {
        params: IdParams,
      },
      { 200: ComplaintView },
    ),
    async (request) => {
      const complaint = await getComplaint(app.db, request.params.id)
      if (!complaint) throw new errors.NotFound(`no complaint "${request.params.id}"`)
      return complaintView(complaint)
    },
  )

  async function openComplaint(id: string): Promise<Complaint> {
    const complaint = await getComplaint(app.db, id)
    if (!complaint) throw new errors.NotFound(`no complaint "${id}"`)
    if (complaint.status !== 'open')
      throw problem(errors.Conflict, `complaint "${complaint.id}" was already ${complaint.status}`)
    return complaint
  }

  app.post(
    '/complaints/:id/preview',
    routeOptions(
      { roles: ['authority', 'ops'] },
      'complaints',
      {
        params: IdParams,
        body: DecideComplaint,
      },
      { 200: DecisionPreview },
    ),
    async (request) => {
      // The same plan the decision would carry out, with nothing written: what the click would lift.
      const complaint = await openComplaint(request.params.id)
      const plan = await planDecision(app, complaint, request.body, Date.now())
      return {
        complaint: complaint.id,
        outcome: request.body.outcome,
        prefixes: plan.prefixes.map(displayPrefix),
        ...liftsView(plan.lifts),
      }
    },
  )

  app.post(
    '/complaints/:id/decision',
    routeOptions(
      { roles: ['authority'] },
      'complaints',
      {
        params: IdParams,
        body: DecideComplaint,
      },
      { 200: DecidedComplaint },
    ),
    async (request) => {
      const complaint = await openComplaint(request.params.id)
      const { body } = request
      const now = Date.now()
      const { order, prefixes, lifts, revokedBy } = await planDecision(app, complaint, body, now)
      const decision: ComplaintDecision = {
        outcome: body.outcome,
        reason: body.reason,
        decidedAt: now,
        decidedBy: identityOf(request).org,
        ...(body.outcome === 'revoke' ? { prefixes } : {}),
        ...(order ? { order: order.id } : {}),
        ...(revokedBy.size > 0 ? { revokedBy: Object.fromEntries(revokedBy) } : {}),
      }
      const revocations =
        body.outcome === 'revoke'
          ? prefixes.map((target) => ({
              ...(isNameText(target) ? { name: target } : { prefix: target }),
              complaint: complaint.id,
              at: now,
              ...(order ? { order: order.id } : {}),
            }))
          : []
      const decided = await decideComplaint(app.db, complaint, decision, { revocations, revokedBy })
      if (!decided) {
        // Another decision on this complaint committed between our read and our write.
        const winner = await getComplaint(app.db, complaint.id)
        throw problem(
          errors.Conflict,
          `complaint "${complaint.id}" was already ${winner?.status ?? 'decided'}`,
        )
      }
      const suspended =
        body.outcome === 'suspend-order' && order
          ? await setOrderSuspended(app.db, order.id, true, now)
          : null
      await app.audit(request, 'complaint.decide', `complaint:${complaint.id}`, {
        outcome: body.outcome,
        reason: body.reason,
        prefixes,
        order: order?.id ?? null,
        lifted: lifts.length,
      })
      // The scheduler is asked at once; the notices are filed meanwhile (recompute never throws).
      const requested =
        body.outcome === 'reject'
          ? null
          : app.recompute({
              kind: body.outcome === 'revoke' ? 'complaint-upheld' : 'order-suspended',
              complaint: complaint.id,
              prefixes: prefixes.filter((target) => !isNameText(target)),
              ...(prefixes.some(isNameText) ? { names: prefixes.filter(isNameText) } : {}),
              ...(order ? { order: order.id, rightsholder: order.rightsholder } : {}),
            })
      if (suspended) await app.notifyOrder('order-suspended', suspended, `Complaint ${complaint.id} upheld.`)
      if (body.outcome === 'revoke') {
        // Every order the revocation lifts something from is partly revoked (SPEC rule 15).
        for (const id of new Set(lifts.flatMap((lift) => lift.orders))) {
          const revoked = await getOrder(app.db, id)
          if (revoked) {
            await app.notifyOrder(
              'order-partly-revoked',
              revoked,
              `Complaint ${complaint.id} upheld: ${prefixes.length} prefix(es) revoked.`,
            )
          }
        }
      }
      await requested
      return { ...complaintView(decided), ...liftsView(lifts) }
    },
  )
}

export default complaintRoutes
