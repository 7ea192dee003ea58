import type { TSchema } from 'typebox'
import { IdParams } from '../../schemas/common.js'
import { Decision } from '../../schemas/guard.js'
import { routeOptions } from '../options.js'

/** What ops may decide on something the guard or the breaker holds: each has its own route. */
export const decisions = ['approve', 'reject'] as const

/** The options of an ops decision on a hold named by id (POST …/:id/approve or …/reject): answers `view`. */
export function decisionOptions<const V extends TSchema>(view: V) {
  return routeOptions({ roles: ['ops'] }, 'guard', { params: IdParams, body: Decision }, { 200: view })
}
