/**
 * Surveillance for the dashboard (SPEC rule 3): per rightsholder, for this week (and any week
 * ahead it already uploaded a list for), the entries of the week before that the list no longer
 * holds. Reads lists only when one changed: the view is rebuilt on every poll.
 */
import { type Competition, defaultTimeZone, isoWeekKey } from '@offside/core'
import { type Db, listWeeklyLists, readSurveillance, stateGeneration } from '@offside/store'
import type { SurveillanceView } from '../view.js'

/** Entries sent per rightsholder and week; the count is always whole. */
export const SURVEILLANCE_ENTRIES_SHOWN = 200

/** This week in every time zone a competition uses (lists are keyed in the competition's zone). */
function currentWeeks(now: number, competitions: Competition[]): string[] {
  const zones = new Set(competitions.map((c) => c.timeZone))
  if (zones.size === 0) zones.add(defaultTimeZone)
  return [...new Set([...zones].map((zone) => isoWeekKey(now, zone)))].sort()
}

export function surveillanceReader(
  db: Db,
): (now: number, competitions: Competition[]) => Promise<SurveillanceView[]> {
  let cached: { key: string; views: SurveillanceView[] } | undefined
  return async (now, competitions) => {
    const weeks = currentWeeks(now, competitions)
    const key = `${await stateGeneration(db)}|${weeks.join(',')}`
    if (cached?.key === key) return cached.views
    const earliest = weeks[0] ?? ''
    const lists = await listWeeklyLists(db)
    const wanted = new Map<string, { rightsholder: string; week: string }>()
    for (const list of lists) {
      // This week's list may be missing while last week's exists: all of it is then under surveillance.
      for (const week of weeks)
        wanted.set(`${list.rightsholder}|${week}`, { rightsholder: list.rightsholder, week })
      if (list.week > earliest) wanted.set(`${list.rightsholder}|${list.week}`, list)
    }
    const read = await Promise.all(
      [...wanted.values()].map((l) => readSurveillance(db, l.rightsholder, l.week)),
    )
    const views = read
      .filter((s) => s.entries.length > 0)
      .sort((a, b) => a.rightsholder.localeCompare(b.rightsholder) || a.week.localeCompare(b.week))
      .map((s) => ({
        rightsholder: s.rightsholder,
        week: s.week,
        lastListed: s.previousWeek,
        total: s.entries.length,
        entries: s.entries.slice(0, SURVEILLANCE_ENTRIES_SHOWN),
      }))
    cached = { key, views }
    return views
  }
}
