import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, parseTarget } from '@offside/core'
import type { ApiConfig } from '../../config.js'
import { errors, problem } from '../../errors.js'
import { problemResponses } from '../../schemas/common.js'
import { LookupQuery, LookupResult } from '../../schemas/complaints.js'

/**
 * The public look-up (SPEC rule 14): is this address blocked right now, under which order, until
 * when, and how to complain. "Blocked" means what agents were told to enforce now (the published
 * revision), not what the stored lists would justify. It shows only the entries that touch the
 * asked address (those covering it), never the rest of any list, and no rightsholder's evidence.
 */
const publicRoutes: FastifyPluginAsyncTypebox<{ config: ApiConfig }> = async (app, { config }) => {
  app.get(
    '/public/lookup',
    {
      config: { public: true, rateLimit: { max: config.publicRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['public'],
        security: [],
        querystring: LookupQuery,
        response: { 200: LookupResult, ...problemResponses },
      },
    },
    async (request) => {
      const parsed = parseTarget(request.query.target)
      if (!parsed.ok || parsed.target.kind !== 'prefix') {
        throw problem(errors.InvalidInput, parsed.ok ? 'give one IP address' : parsed.message, {
          field: 'target',
          reason: parsed.ok ? 'malformed' : parsed.reason,
        })
      }
      // One address only: a prefix would list every enforced entry inside it, and 0.0.0.0/0 the whole state.
      if (parsed.target.length !== (parsed.target.family === 4 ? 32 : 128)) {
        throw problem(errors.TargetTooBroad, 'the public look-up answers for one address, not a prefix', {
          field: 'target',
          reason: 'not-one-address',
        })
      }
      const state = await app.liveState(Date.now())
      const orders = new Map(state.inputs.orders.map((order) => [order.id, order]))
      const matches = state.touching(parsed.target.prefix).map((entry) => ({
        prefix: displayPrefix(entry.prefix),
        until: new Date(entry.until).toISOString(),
        orders: [...new Set(entry.provenance.map((p) => p.order))].map((id) => ({
          id,
          reference: orders.get(id)?.reference ?? '',
        })),
      }))
      const asnOf = await app.asnLookup()
      return {
        target: displayPrefix(parsed.target.prefix),
        blocked: matches.length > 0,
        ...(asnOf ? { announcedBy: asnOf(parsed.target.prefix) } : {}),
        matches,
        complain: {
          method: 'POST',
          url: '/v1/complaints',
          body: '{"target":"<address>","contact":"<email>","reason":"<what lawful service is affected>"}',
          note: 'Free of charge, no account needed. The authority decides; an upheld complaint lifts the block at every ISP.',
        },
      }
    },
  )
}

export default publicRoutes
