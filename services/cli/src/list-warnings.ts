import type { Order } from '@offside/core'
import { defaultTimeZone, parseWeekKey, seasonOf, weekBounds } from '@offside/core'

/**
 * What a rightsholder should hear before its upload is stored but has no effect: a week that is
 * already over is never enforced again, and a week no order in force covers is held by the guard
 * (`no-current-order`). Warnings, not refusals: correcting an old list is lawful.
 */
export function listWarnings(week: string, rightsholder: string, orders: Order[], now: number): string[] {
  if (!parseWeekKey(week).ok) return [] // the API names the malformed week
  const { start, end } = weekBounds(week, defaultTimeZone)
  const warnings: string[] = []
  if (end <= now) {
    warnings.push(
      `week ${week} ended on ${new Date(end).toISOString()}: a list for a past week is stored but never enforced`,
    )
  }
  const zone = { id: 'default', name: 'default', timeZone: defaultTimeZone, preMinutes: 0, postMinutes: 0 }
  const seasons = new Set([seasonOf(start, zone), seasonOf(end - 1, zone)])
  const covering = orders.filter(
    (order) => order.rightsholder === rightsholder && !order.suspended && seasons.has(order.season),
  )
  if (covering.length === 0) {
    warnings.push(
      `no order in force for ${rightsholder} covers season ${[...seasons].join('/')} (week ${week}): ` +
        'its entries will be held by the guard (no-current-order), not enforced',
    )
  }
  return warnings
}
