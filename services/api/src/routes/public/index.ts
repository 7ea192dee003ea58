import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, parseTarget, publicSuffixOf } from '@offside/core'
import type { ApiConfig } from '../../config.js'
import { errors, problem } from '../../errors.js'
import { LookupQuery, LookupResult } from '../../schemas/complaints.js'
import { routeOptions } from '../options.js'

/**
 * The public look-up (SPEC rule 14): is this address blocked right now, under which order, until
 * when, and how to complain. "Blocked" means what agents were told to enforce now (the published
 * revision), not what the stored lists would justify. It shows only the entries that touch the
 * asked address (those covering it), never the rest of any list, and no rightsholder's evidence.
 */
const publicRoutes: FastifyPluginAsyncTypebox<{ config: ApiConfig }> = async (app, { config }) => {
  app.get(
    '/public/lookup',
    routeOptions(
      { public: true, rateLimit: { max: config.publicRateLimit, timeWindow: '1 minute' } },
      'public',
      {
        security: [],
        querystring: LookupQuery,
      },
      { 200: LookupResult },
    ),
    async (request) => {
      const parsed = parseTarget(request.query.target, { allowNames: true })
      if (!parsed.ok) {
        throw problem(errors.InvalidInput, parsed.message, { field: 'target', reason: parsed.reason })
      }
      if (parsed.target.kind === 'name') return lookUpName(parsed.target.name, parsed.target.wildcard)
      // One address only: a prefix would list every enforced entry inside it, and 0.0.0.0/0 the whole state.
      if (parsed.target.length !== (parsed.target.family === 4 ? 32 : 128)) {
        throw problem(errors.TargetTooBroad, 'the public look-up answers for one address, not a prefix', {
          field: 'target',
          reason: 'not-one-address',
        })
      }
      const state = await app.liveStateNear(Date.now(), { prefixes: [parsed.target.prefix] })
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
        complain: complainHow('<address>'),
      }
    },
  )

  /** One name: blocked by itself or by a wildcard above it; a wildcard would list many names. */
  async function lookUpName(name: string, wildcard: boolean) {
    if (wildcard) {
      throw problem(errors.TargetTooBroad, 'the public look-up answers for one name, not a wildcard', {
        field: 'target',
        reason: 'not-one-name',
      })
    }
    // A public suffix (a single label like "not-an-ip", co.uk) is never listed and names many owners.
    if (publicSuffixOf(name) === name) {
      throw problem(errors.TargetTooBroad, `${name} is a public suffix; ask about one name under it`, {
        field: 'target',
        reason: 'public-suffix',
      })
    }
    const state = await app.liveStateNear(Date.now(), { names: [name] })
    const orders = new Map(state.inputs.orders.map((order) => [order.id, order]))
    const matches = state.namesBlocking(name).map((entry) => ({
      name: entry.name,
      until: new Date(entry.until).toISOString(),
      orders: [...new Set(entry.provenance.map((p) => p.order))].map((id) => ({
        id,
        reference: orders.get(id)?.reference ?? '',
      })),
    }))
    return { target: name, blocked: matches.length > 0, matches, complain: complainHow('<name>') }
  }
}

function complainHow(what: string) {
  return {
    method: 'POST',
    url: '/v1/complaints',
    body: `{"target":"${what}","contact":"<email>","reason":"<what lawful service is affected>"}`,
    note: 'Free of charge, no account needed. The authority decides; an upheld complaint lifts the block at every ISP.',
  }
}

export default publicRoutes
