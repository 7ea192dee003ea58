import { defaultTimeZone, seasonOf } from '@offside/core'
import { type Db, listCompetitions, listOrders } from '@offside/store'

/**
 * Whether a rightsholder holds a non-suspended order for the current season of any of its
 * competitions. Entries from a rightsholder without one are held (SPEC rule 6).
 */
export async function hasCurrentOrder(db: Db, rightsholder: string, now: number): Promise<boolean> {
  const [orders, competitions] = await Promise.all([listOrders(db, { rightsholder }), listCompetitions(db)])
  const byId = new Map(competitions.map((competition) => [competition.id, competition]))
  return orders.some(
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
