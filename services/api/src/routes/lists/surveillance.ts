import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, parseWeekKey, previousWeek, surveillance } from '@offside/core'
import { readListEntries } from '@offside/store'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { assertOwnOrg } from '../../plugins/auth.js'
import { Id } from '../../schemas/common.js'
import { routeOptions } from '../options.js'

const SurveillanceView = Type.Object({
  rightsholder: Type.String(),
  week: Type.String(),
  previousWeek: Type.String(),
  total: Type.Integer(),
  /** Last week's entries no longer listed this week: visible, not enforced (SPEC rule 3). */
  entries: Type.Array(Type.String()),
})

/** The prefixes a list holds now: the accepted uploaded entries, hot additions and approvals. */
async function listed(app: Parameters<FastifyPluginAsyncTypebox>[0], rightsholder: string, week: string) {
  const list = await readListEntries(app.db, rightsholder, week)
  if (!list) return []
  return [...list.uploaded, ...list.extras.map((extra) => extra.target)].filter((target) =>
    target.includes('/'),
  )
}

/**
 * Surveillance (SPEC rule 3; UK orders: "monitored, not blocked"): the entries of the previous
 * week's list that this week's list no longer holds. They are list entries, so only the
 * authority, ops and the rightsholder itself read them (SPEC rule 10).
 */
const surveillanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/lists/:rightsholder/:week/surveillance',
    routeOptions(
      { roles: ['authority', 'ops', 'rightsholder'] },
      'lists',
      {
        params: Type.Object(
          { rightsholder: Id, week: Type.String({ maxLength: 16 }) },
          { additionalProperties: false },
        ),
      },
      { 200: SurveillanceView },
    ),
    async (request) => {
      const { rightsholder, week } = request.params
      assertOwnOrg(request, rightsholder, { readAll: true })
      const parsed = parseWeekKey(week)
      if (!parsed.ok) {
        throw problem(errors.InvalidInput, `"${week}" is not an ISO week like 2026-W48`, {
          field: 'week',
          reason: parsed.reason,
        })
      }
      const previous = previousWeek(week)
      const [current, before] = await Promise.all([
        listed(app, rightsholder, week),
        listed(app, rightsholder, previous),
      ])
      const entries = surveillance(
        {
          now: 0,
          graceMs: 0,
          competitions: [],
          events: [],
          orders: [],
          revocations: [],
          lists: [
            { rightsholder, week, prefixes: current },
            { rightsholder, week: previous, prefixes: before },
          ],
        },
        rightsholder,
        week,
      ).map(displayPrefix)
      return { rightsholder, week, previousWeek: previous, total: entries.length, entries }
    },
  )
}

export default surveillanceRoutes
