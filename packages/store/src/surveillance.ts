/**
 * Surveillance (SPEC rule 3; UK orders: "monitored, not blocked"): the entries of a rightsholder's
 * list for the week before that its list for this week no longer holds. Read here once for the
 * API, the CLI (through the API) and the dashboard, so all three show the same entries.
 */
import { displayPrefix, isNameText, namesNoLongerListed, previousWeek, surveillance } from '@offside/core'
import type { Db } from './keys.js'
import { readListEntries } from './lists.js'

export interface SurveillanceList {
  rightsholder: string
  week: string
  /** The week the entries were last listed in. */
  previousWeek: string
  /** Prefixes in display form (a /32 shows as its address), then names. */
  entries: string[]
}

/** What a list holds now (the accepted uploaded entries, hot additions and approvals), prefixes apart from names. */
async function listed(
  db: Db,
  rightsholder: string,
  week: string,
): Promise<{ prefixes: string[]; names: string[] }> {
  const list = await readListEntries(db, rightsholder, week)
  const targets = list ? [...list.uploaded, ...list.extras.map((extra) => extra.target)] : []
  return {
    prefixes: targets.filter((target) => !isNameText(target)),
    names: targets.filter(isNameText),
  }
}

/** The entries of `rightsholder`'s list for the week before `week` that `week`'s list no longer holds. */
export async function readSurveillance(
  db: Db,
  rightsholder: string,
  week: string,
): Promise<SurveillanceList> {
  const before = previousWeek(week)
  const [current, previous] = await Promise.all([
    listed(db, rightsholder, week),
    listed(db, rightsholder, before),
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
        { rightsholder, week, prefixes: current.prefixes },
        { rightsholder, week: before, prefixes: previous.prefixes },
      ],
    },
    rightsholder,
    week,
  )
    .map(displayPrefix)
    .concat(namesNoLongerListed(previous.names, current.names))
  return { rightsholder, week, previousWeek: before, entries }
}
