import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseWeekKey } from '@offside/core'
import { readSurveillance } from '@offside/store'
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
      const { previousWeek, entries } = await readSurveillance(app.db, rightsholder, week)
      return { rightsholder, week, previousWeek, total: entries.length, entries }
    },
  )
}

export default surveillanceRoutes
