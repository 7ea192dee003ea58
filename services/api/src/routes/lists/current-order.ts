import { defaultTimeZone, seasonOf } from '@offside/core'
import { type Db, listCompetitions, listOrders } from '@offside/store'

/**
 * Whether a rightsholder holds a non-suspended order for the current season of any of its
 * competitions (entries from a rightsholder without one are held, SPEC rule 6), and whether one
 * of those orders allows wildcard names (without one a wildcard is rejected).
 */
export async function currentOrders(
  db: Db,
  rightsholder: string,
  now: number,
): Promise<{ hasCurrentOrder: boolean; allowWildcards: boolean }> {
  const current = await currentOrderList(db, rightsholder, now)
  return {
    hasCurrentOrder: current.length > 0,
    allowWildcards: current.some((order) => order.allowWildcards === true),
  }
}

async function currentOrderList(db: Db, rightsholder: string, now: number) {
  const [orders, competitions] = await Promise.all([listOrders(db, { rightsholder }), listCompetitions(db)])
  const byId = new Map(competitions.map((competition) => [competition.id, competition]))
  return orders.filter(
    (order) =>
      !order.suspended &&
      order.competitions.some((id) => {
        const competition = byId.get(id) ?? {
          id,
          name: id,
          timeZone: defaultTimeZone,
          preMinutes: 15,
          postMinutes: 30,
        }
        return seasonOf(now, competition) === order.season
      }),
  )
}
