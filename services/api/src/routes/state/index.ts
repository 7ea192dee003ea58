import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, namesOverlap, parseTarget, upcomingWindows } from '@offside/core'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { pendingReason, windowView } from '../../live-state.js'
import { iso } from '../../views.js'
import { routeOptions } from '../options.js'

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
  /** Windows whose published group agents enforce now (not counting the grace after the close). */
  live: Type.Array(Window),
  /** Windows of the stored calendar opening within 36 h. */
  upcoming: Type.Array(Window),
  /** Prefixes agents enforce now, from the published groups (kept for clients; = enforcedPrefixes). */
  enforced: Type.Integer(),
  /** The same count under its distinct name: prefixes, not entries or addresses (docs/api.md). */
  enforcedPrefixes: Type.Integer(),
  /** Names (and wildcards) agents block now at the ISPs' resolvers, from the published groups. */
  enforcedNames: Type.Integer(),
  /** Names the stored inputs justify that are not published. */
  pendingNames: Type.Integer(),
  /** Entries the stored inputs justify that are not published (breaker hold, scheduler behind). */
  pending: Type.Integer(),
  breaker: Type.Object({
    pending: Type.Boolean(),
    hold: Type.Optional(
      Type.Object({
        id: Type.String(),
        createdAt: Type.String(),
        added: Type.Integer(),
        reason: Type.String(),
      }),
    ),
  }),
})

const Entry = Type.Object({
  /** An address entry: its prefix (a single address without its length). Absent for a name. */
  prefix: Type.Optional(Type.String()),
  /** A name entry: the name or `*.x` wildcard as resolvers see it (A-labels). Absent for a prefix. */
  name: Type.Optional(Type.String()),
  until: Type.String(),
  /** Enforced entries: the events whose published groups hold it. */
  events: Type.Optional(Type.Array(Type.String())),
  provenance: Type.Array(Provenance),
  /** Enforced entries: false when the stored inputs no longer justify it (the next revision drops it). */
  justified: Type.Optional(Type.Boolean()),
  /** Pending entries: why it is not enforced (`circuit-breaker`, `not-published`). */
  reason: Type.Optional(Type.String()),
  /** Pending entries held by the breaker: the hold's id. */
  hold: Type.Optional(Type.String()),
})

const EntriesView = Type.Object({
  revision: Type.Integer(),
  now: Type.String(),
  status: Type.Union([Type.Literal('enforced'), Type.Literal('pending')]),
  total: Type.Integer(),
  entries: Type.Array(Entry),
})

const UPCOMING_MS = 36 * 3600_000

/**
 * What agents enforce now (SPEC rules 4-5), read from the last published revision: live windows,
 * enforced entries with provenance and until; and what is justified but not published (pending).
 */
const stateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = { roles: ['authority' as const, 'ops' as const, 'isp' as const] }

  app.get(
    '/state',
    { config: readers, schema: { tags: ['state'], response: { 200: StateView } } },
    async () => {
      const now = Date.now()
      const [state, pendingHold] = await Promise.all([app.liveState(now), app.pendingHold()])
      const { snapshot } = state
      return {
        revision: snapshot.revision,
        revisionIssuedAt: snapshot.issuedAt ? iso(snapshot.issuedAt) : null,
        now: iso(now),
        live: state.live.map(windowView),
        upcoming: upcomingWindows(state.inputs, UPCOMING_MS).map(windowView),
        enforced: state.enforcedCount,
        enforcedPrefixes: state.enforcedCount,
        enforcedNames: state.names.length,
        pending: state.pending.length,
        pendingNames: state.pendingNames.length,
        breaker: pendingHold
          ? {
              pending: true,
              hold: {
                id: pendingHold.hold.id,
                createdAt: iso(pendingHold.hold.createdAt),
                added: pendingHold.hold.added,
                reason: pendingHold.hold.reason.message,
              },
            }
          : { pending: false },
      }
    },
  )

  app.get(
    '/state/entries',
    routeOptions(
      readers,
      'state',
      {
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
            /** Only entries overlapping this address or prefix, or blocking this name (under it for `*.x`). */
            target: Type.Optional(Type.String({ maxLength: 300 })),
            /** `enforced` (default): what agents enforce; `pending`: justified by the stored inputs, not published. */
            status: Type.Optional(Type.Union([Type.Literal('enforced'), Type.Literal('pending')])),
          },
          { additionalProperties: false },
        ),
      },
      { 200: EntriesView },
    ),
    async (request) => {
      const now = Date.now()
      let filter: string | null = null
      let nameFilter: string | null = null
      if (request.query.target) {
        const parsed = parseTarget(request.query.target, { allowNames: true })
        if (!parsed.ok) {
          throw problem(errors.InvalidInput, parsed.message, { field: 'target', reason: parsed.reason })
        }
        if (parsed.target.kind === 'prefix') filter = parsed.target.prefix
        else nameFilter = parsed.target.name
      }
      const state = await app.liveState(now)
      const status = request.query.status ?? 'enforced'
      const offset = request.query.offset ?? 0
      const end = offset + (request.query.limit ?? 1000)
      const base = { revision: state.snapshot.revision, now: iso(now), status }
      // Prefixes first, then names; a target filter picks one kind.
      if (status === 'pending') {
        const pending = nameFilter ? [] : filter ? state.pendingTouching(filter) : state.pending
        const names = filter
          ? []
          : state.pendingNames.filter((entry) => !nameFilter || namesOverlap(entry.name, nameFilter))
        const pendingHold = pending.length > 0 ? await app.pendingHold() : null
        const all = [
          ...pending.map((entry) => ({
            prefix: displayPrefix(entry.prefix),
            until: iso(entry.until),
            provenance: entry.provenance,
            ...pendingReason(entry, pendingHold),
          })),
          ...names.map((entry) => ({
            name: entry.name,
            until: iso(entry.until),
            provenance: entry.provenance,
            reason: 'not-published' as const,
          })),
        ]
        return { ...base, total: all.length, entries: all.slice(offset, end) }
      }
      const entries = nameFilter ? [] : filter ? state.touching(filter) : state.entries
      const names = filter ? [] : nameFilter ? state.namesMatching(nameFilter) : state.names
      const total = entries.length + names.length
      const shown = [
        ...entries.slice(offset, end).map((entry) => ({
          prefix: displayPrefix(entry.prefix),
          until: iso(entry.until),
          events: entry.events,
          provenance: entry.provenance,
          justified: entry.justified,
        })),
        ...names
          .slice(Math.max(0, offset - entries.length), Math.max(0, end - entries.length))
          .map((entry) => ({
            name: entry.name,
            until: iso(entry.until),
            events: entry.events,
            provenance: entry.provenance,
            justified: entry.justified,
          })),
      ]
      return { ...base, total, entries: shown }
    },
  )
}

export default stateRoutes
