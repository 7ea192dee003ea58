import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, parseTarget, upcomingWindows } from '@offside/core'
import { readSnapshot } from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { entryView, windowView } from '../../live-state.js'
import { problemResponses } from '../../schemas/common.js'

const Window = Type.Object({
  event: Type.String(),
  competition: Type.String(),
  opensAt: Type.String(),
  closesAt: Type.String(),
  week: Type.String(),
})

const Provenance = Type.Object({
  order: Type.String(),
  rightsholder: Type.String(),
  week: Type.String(),
  event: Type.String(),
})

const StateView = Type.Object({
  /** The last revision published to agents (0 before the first). */
  revision: Type.Integer(),
  revisionIssuedAt: Type.Union([Type.String(), Type.Null()]),
  now: Type.String(),
  live: Type.Array(Window),
  upcoming: Type.Array(Window),
  enforced: Type.Integer(),
})

const EntriesView = Type.Object({
  revision: Type.Integer(),
  now: Type.String(),
  total: Type.Integer(),
  entries: Type.Array(
    Type.Object({ prefix: Type.String(), until: Type.String(), provenance: Type.Array(Provenance) }),
  ),
})

const UPCOMING_MS = 36 * 3600_000

/** What is enforced now (SPEC rules 4-5): live windows, enforced entries with provenance and until. */
const stateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = { roles: ['authority' as const, 'ops' as const, 'isp' as const] }

  app.get(
    '/state',
    { config: readers, schema: { tags: ['state'], response: { 200: StateView } } },
    async () => {
      const now = Date.now()
      const [snapshot, state] = await Promise.all([readSnapshot(app.db), app.liveState(now)])
      return {
        revision: snapshot.revision,
        revisionIssuedAt: snapshot.issuedAt ? new Date(snapshot.issuedAt).toISOString() : null,
        now: new Date(now).toISOString(),
        live: state.live.map(windowView),
        upcoming: upcomingWindows(state.inputs, UPCOMING_MS).map(windowView),
        enforced: state.entries.length,
      }
    },
  )

  app.get(
    '/state/entries',
    {
      config: readers,
      schema: {
        tags: ['state'],
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
            /** Only entries overlapping this address or prefix. */
            target: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: EntriesView, ...problemResponses },
      },
    },
    async (request) => {
      const now = Date.now()
      let filter: string | null = null
      if (request.query.target) {
        const parsed = parseTarget(request.query.target)
        if (!parsed.ok || parsed.target.kind !== 'prefix') {
          throw problem(errors.InvalidInput, parsed.ok ? 'not an address or prefix' : parsed.message, {
            field: 'target',
          })
        }
        filter = parsed.target.prefix
      }
      const [snapshot, state] = await Promise.all([readSnapshot(app.db), app.liveState(now)])
      const entries = filter ? state.touching(filter) : state.entries
      const offset = request.query.offset ?? 0
      return {
        revision: snapshot.revision,
        now: new Date(now).toISOString(),
        total: entries.length,
        entries: entries
          .slice(offset, offset + (request.query.limit ?? 1000))
          .map((entry) => ({ ...entryView(entry), prefix: displayPrefix(entry.prefix) })),
      }
    },
  )
}

export default stateRoutes
