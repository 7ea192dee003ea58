import { seasonOf } from '@offside/core'
import { addHotEntries, type Db, putCompetition, putEvent, putOrder, swapWeeklyList } from '@offside/store'

/** The competition every scheduler benchmark schedules its matches in. */
export const competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 15,
  postMinutes: 30,
}

/** Swaps in `prefixes` as a new version of a weekly list, all accepted, as an upload would. */
export async function uploadList(
  db: Db,
  rightsholder: string,
  week: string,
  prefixes: string[],
  version: string,
): Promise<void> {
  await swapWeeklyList(db, {
    version: {
      summary: {
        rightsholder,
        week,
        version,
        uploadedAt: Date.now(),
        uploadedBy: 'bench',
        entries: prefixes.length,
        accepted: prefixes.length,
        held: 0,
        rejected: 0,
        hotAdditions: 0,
      },
      accepted: prefixes.map((target) => ({ target })),
      verdicts: [],
    },
    held: [],
  })
}

/** An order in force for `rightsholder` in the season of `kickoff`, issued at `now`. */
export async function putBenchOrder(
  db: Db,
  id: string,
  rightsholder: string,
  kickoff: number,
  now: number,
): Promise<void> {
  await putOrder(db, {
    id,
    rightsholder,
    competitions: ['serie-a'],
    season: seasonOf(kickoff, competition),
    reference: 'bench',
    suspended: false,
    issuedAt: now,
    updatedAt: now,
  })
}

/** Adds `targets` to sky-it's list of `week` as one hot addition (all accepted), as the API would. */
export async function addBenchHotEntries(db: Db, week: string, targets: string[]): Promise<void> {
  const at = Date.now()
  await addHotEntries(db, {
    rightsholder: 'sky-it',
    week,
    accepted: targets.map((target) => ({ target, source: 'hot-addition' as const, at, by: 'bench' })),
    held: [],
    rejected: 0,
    now: at,
    by: 'bench',
  })
}

/** The bench competition and, in it, a scheduled match of each id kicking off at `kickoff` (115 min long). */
export async function putBenchMatches(db: Db, ids: string[], kickoff: number): Promise<void> {
  await putCompetition(db, competition)
  for (const id of ids) {
    await putEvent(db, {
      id,
      competition: 'serie-a',
      kickoff,
      end: kickoff + 115 * 60_000,
      status: 'scheduled',
    })
  }
}
