import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, PrefixSet, parseTarget } from '@offside/core'
import {
  type Complaint,
  type ComplaintDecision,
  decideComplaint,
  fileComplaint,
  getComplaint,
  getOrder,
  listComplaints,
  loadStateInputs,
  setOrderSuspended,
} from '@offside/store'
import { Type } from 'typebox'
import type { ApiConfig } from '../../config.js'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { IdParams, problemResponses } from '../../schemas/common.js'
import { ComplaintView, DecideComplaint, FileComplaint, Filed } from '../../schemas/complaints.js'

const iso = (ms: number) => new Date(ms).toISOString()
const complaintView = ({ filedAt, decision, target, ...rest }: Complaint) => ({
  ...rest,
  target: displayPrefix(target),
  filedAt: iso(filedAt),
  ...(decision ? { decision: { ...decision, decidedAt: iso(decision.decidedAt) } } : {}),
})

function canonicalPrefix(text: string, field: string, index?: number): string {
  const parsed = parseTarget(text)
  if (!parsed.ok || parsed.target.kind !== 'prefix') {
    throw problem(errors.InvalidInput, parsed.ok ? `"${text}" is not an address or prefix` : parsed.message, {
      field,
      reason: parsed.ok ? 'malformed' : parsed.reason,
      ...(index !== undefined ? { index } : {}),
    })
  }
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
      const target = canonicalPrefix(request.body.target, 'target')
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
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([Type.Literal('open'), Type.Literal('upheld'), Type.Literal('rejected')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ complaints: Type.Array(ComplaintView) }) },
      },
    },
    async (request) => ({
      complaints: (await listComplaints(app.db, request.query.status)).map(complaintView),
    }),
  )

  app.get(
    '/complaints/:id',
    {
      config: readers,
      schema: {
        tags: ['complaints'],
        params: IdParams,
        response: { 200: ComplaintView, ...problemResponses },
      },
    },
    async (request) => {
      const complaint = await getComplaint(app.db, request.params.id)
      if (!complaint) throw new errors.NotFound(`no complaint "${request.params.id}"`)
      return complaintView(complaint)
    },
  )

  app.post(
    '/complaints/:id/decision',
    {
      config: { roles: ['authority'] },
      schema: {
        tags: ['complaints'],
        params: IdParams,
        body: DecideComplaint,
        response: { 200: ComplaintView, ...problemResponses },
      },
    },
    async (request) => {
      const complaint = await getComplaint(app.db, request.params.id)
      if (!complaint) throw new errors.NotFound(`no complaint "${request.params.id}"`)
      if (complaint.status !== 'open')
        throw problem(errors.Conflict, `complaint "${complaint.id}" was already ${complaint.status}`)
      const { body } = request
      const now = Date.now()
      const order = body.order ? await getOrder(app.db, body.order) : null
      if (body.order && !order)
        throw problem(errors.InvalidInput, `no order "${body.order}"`, { field: 'order' })
      if (body.outcome === 'suspend-order' && !order) {
        throw problem(errors.InvalidInput, 'suspend-order needs the order to suspend', { field: 'order' })
      }
      const prefixes =
        body.outcome === 'revoke'
          ? (body.prefixes ?? [complaint.target]).map((text, index) =>
              canonicalPrefix(text, `prefixes[${index}]`, index),
            )
          : body.outcome === 'suspend-order'
            ? [complaint.target]
            : []
      // Reporter accountability (SPEC rule 12): count, per rightsholder, the listed entries this decision takes out.
      const revokedBy = new Map<string, number>()
      if (prefixes.length > 0) {
        const revoked = PrefixSet.from(prefixes)
        for (const list of (await loadStateInputs(app.db, now)).lists) {
          if (order && list.rightsholder !== order.rightsholder) continue
          const hits = list.prefixes.filter((prefix) => revoked.overlaps(prefix)).length
          if (hits > 0) revokedBy.set(list.rightsholder, (revokedBy.get(list.rightsholder) ?? 0) + hits)
        }
      }
      const decision: ComplaintDecision = {
        outcome: body.outcome,
        reason: body.reason,
        decidedAt: now,
        decidedBy: identityOf(request).org,
        ...(body.outcome === 'revoke' ? { prefixes } : {}),
        ...(order ? { order: order.id } : {}),
      }
      const revocations =
        body.outcome === 'revoke'
          ? prefixes.map((prefix) => ({
              prefix,
              complaint: complaint.id,
              at: now,
              ...(order ? { order: order.id } : {}),
            }))
          : []
      const decided = await decideComplaint(app.db, complaint, decision, { revocations, revokedBy })
      if (body.outcome === 'suspend-order' && order) await setOrderSuspended(app.db, order.id, true, now)
      await app.audit(request, 'complaint.decide', `complaint:${complaint.id}`, {
        outcome: body.outcome,
        reason: body.reason,
        prefixes,
        order: order?.id ?? null,
      })
      if (body.outcome !== 'reject') {
        await app.recompute({
          kind: body.outcome === 'revoke' ? 'complaint-upheld' : 'order-suspended',
          complaint: complaint.id,
          prefixes,
          ...(order ? { order: order.id, rightsholder: order.rightsholder } : {}),
        })
      }
      return complaintView(decided)
    },
  )
}

export default complaintRoutes
