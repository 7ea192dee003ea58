import { DateTime, IANAZone } from 'luxon'

/**
 * A competition's calendar settings. Season bounds are month-day strings ("07-01") read in the
 * competition's own time zone; absent means the PDL 1357 default of 1 July to 30 June.
 */
export interface Competition {
  id: string
  name: string
  timeZone: string
  preMinutes: number
  postMinutes: number
  seasonStart?: string
  seasonEnd?: string
}

/** Every status an event may have; only `scheduled` and `live` events open a window. */
export const eventStatuses = ['scheduled', 'live', 'postponed', 'cancelled'] as const
export type EventStatus = (typeof eventStatuses)[number]

/** A match. Instants are epoch milliseconds; pre/post minutes override the competition's defaults. */
export interface MatchEvent {
  id: string
  competition: string
  kickoff: number
  end: number
  preMinutes?: number
  postMinutes?: number
  status: EventStatus
  title?: string
}

/** The interval `[opensAt, closesAt)` in which an event justifies blocking, and the list week it uses. */
export interface EventWindow {
  event: string
  competition: string
  opensAt: number
  closesAt: number
  /** ISO week of the kickoff in the competition's zone: the week whose list this event enforces. */
  week: string
}

/** The zone a competition uses when none is given (SPEC rule 3). */
export const defaultTimeZone = 'Europe/Rome'

/** True for IANA zone names luxon can resolve ("Europe/Rome", "UTC"); false for offsets and typos. */
export function isValidTimeZone(timeZone: string): boolean {
  return typeof timeZone === 'string' && timeZone.length > 0 && IANAZone.isValidZone(timeZone)
}

function localTime(instant: number, timeZone: string): DateTime {
  const local = DateTime.fromMillis(instant, { zone: timeZone })
  if (!local.isValid) {
    throw new RangeError(`cannot read instant ${instant} in zone "${timeZone}": ${local.invalidExplanation}`)
  }
  return local
}

function formatWeekKey(weekYear: number, weekNumber: number): string {
  return `${String(weekYear).padStart(4, '0')}-W${String(weekNumber).padStart(2, '0')}`
}

/**
 * The ISO week ("2026-W48") that contains `instant` in `timeZone`. The year is the ISO
 * week-numbering year, so 2026-12-31 is "2026-W53" and 2027-01-01 is still "2026-W53".
 */
export function isoWeekKey(instant: number, timeZone: string): string {
  const local = localTime(instant, timeZone)
  return formatWeekKey(local.weekYear, local.weekNumber)
}

export type WeekKeyReason = 'malformed' | 'week-out-of-range'

export type WeekKeyResult =
  | { ok: true; weekYear: number; weekNumber: number }
  | { ok: false; reason: WeekKeyReason; message: string }

const weekKeyPattern = /^(\d{4})-W(\d{2})$/

/** Reads a week key like "2026-W48", refusing "2026-48", "2026-W7" and weeks the year does not have. */
export function parseWeekKey(key: string): WeekKeyResult {
  const match = typeof key === 'string' ? weekKeyPattern.exec(key) : null
  if (!match) {
    return { ok: false, reason: 'malformed', message: `"${key}" is not an ISO week like "2026-W48"` }
  }
  const weekYear = Number(match[1])
  const weekNumber = Number(match[2])
  // weeksInWeekYear is 52 or 53; 1 January of the year always sits in week 1 or the previous year's last.
  const weeks = DateTime.fromObject({ weekYear, weekNumber: 1, weekday: 1 }, { zone: 'utc' }).weeksInWeekYear
  if (weekNumber < 1 || weekNumber > weeks) {
    return {
      ok: false,
      reason: 'week-out-of-range',
      message: `ISO year ${weekYear} has weeks 01 to ${weeks}, not ${match[2]}`,
    }
  }
  return { ok: true, weekYear, weekNumber }
}

function requireWeek(week: string): { weekYear: number; weekNumber: number } {
  const parsed = parseWeekKey(week)
  if (!parsed.ok) throw new RangeError(parsed.message)
  return parsed
}

/**
 * The week `[Monday 00:00, next Monday 00:00)` local time in `timeZone`, as epoch ms. Calendar
 * arithmetic keeps wall-clock midnight, so a week holding a DST change is 167 or 169 hours long.
 * Throws a RangeError on a malformed week key or unknown zone (validate with parseWeekKey first).
 */
export function weekBounds(week: string, timeZone: string): { start: number; end: number } {
  const { weekYear, weekNumber } = requireWeek(week)
  const monday = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone: timeZone })
  if (!monday.isValid) throw new RangeError(`unknown time zone "${timeZone}": ${monday.invalidExplanation}`)
  const start = monday.startOf('day')
  return { start: start.toMillis(), end: start.plus({ weeks: 1 }).toMillis() }
}

/** The ISO week before `week` ("2027-W01" → "2026-W53"); zone-independent. */
export function previousWeek(week: string): string {
  const { weekYear, weekNumber } = requireWeek(week)
  const before = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone: 'utc' }).minus({
    weeks: 1,
  })
  return formatWeekKey(before.weekYear, before.weekNumber)
}

/** The ISO week after `week` ("2026-W53" → "2027-W01"); zone-independent. */
export function nextWeek(week: string): string {
  const { weekYear, weekNumber } = requireWeek(week)
  const after = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone: 'utc' }).plus({ weeks: 1 })
  return formatWeekKey(after.weekYear, after.weekNumber)
}

// ISO 8601 date-time with seconds optional, fraction optional, and a mandatory offset or Z.
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

/**
 * Reads an ISO 8601 instant that states its offset ("2026-11-29T20:45:00+01:00", "…Z") as epoch
 * ms; null for anything else, including a date-time with no offset (which would be read in some
 * server's zone) and dates that do not exist ("2026-02-30", which Date.parse rolls over).
 */
export function parseInstant(text: string): number | null {
  if (typeof text !== 'string' || !instantPattern.test(text)) return null
  const parsed = DateTime.fromISO(text, { setZone: true })
  return parsed.isValid ? parsed.toMillis() : null
}

/** A local date and time with no offset: what an iCalendar DTSTART;TZID=… holds. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

/**
 * The instant a wall-clock time denotes in `timeZone`, resolved as RFC 5545 §3.3.5 says: a time
 * that occurs twice (the autumn change) is its first occurrence, and a time that does not exist
 * (the spring gap) is moved forward by the length of the gap (02:30 → 03:30 in Europe/Rome).
 * Null when the date does not exist or the zone is unknown.
 */
export function wallClockToInstant(wall: WallClock, timeZone: string): number | null {
  const shifted = DateTime.fromObject(wall, { zone: timeZone })
  if (!shifted.isValid) return null
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second)
  // Try each offset in force a few hours around; keep the earliest that reproduces the wall clock.
  let earliest: number | null = null
  for (const probe of [-3, 0, 3]) {
    const offset = DateTime.fromMillis(shifted.toMillis() + probe * 3_600_000, { zone: timeZone }).offset
    const candidate = asUtc - offset * 60_000
    const local = DateTime.fromMillis(candidate, { zone: timeZone })
    const same = local.year === wall.year && local.month === wall.month && local.day === wall.day
    if (same && local.hour === wall.hour && local.minute === wall.minute && local.second === wall.second) {
      earliest = earliest === null ? candidate : Math.min(earliest, candidate)
    }
  }
  return earliest ?? shifted.toMillis()
}
