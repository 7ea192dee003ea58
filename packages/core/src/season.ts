import { DateTime } from 'luxon'
import type { Competition } from './time.js'

/** PDL 1357 art. 2.o: a season runs from 1 July to 30 June of the next year unless a competition says otherwise. */
export const defaultSeasonStart = '07-01'
export const defaultSeasonEnd = '06-30'

interface MonthDay {
  month: number
  day: number
}

// A leap year, so "02-29" is accepted as a bound; comparisons never build a date from it.
const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const monthDayPattern = /^(\d{2})-(\d{2})$/

function parseMonthDay(text: string): MonthDay | null {
  const match = typeof text === 'string' ? monthDayPattern.exec(text) : null
  if (!match) return null
  const month = Number(match[1])
  const day = Number(match[2])
  const last = daysInMonth[month - 1]
  if (last === undefined || day < 1 || day > last) return null
  return { month, day }
}

/** True for a season bound like "07-01" (month-day, zero-padded, a day that exists in a leap year). */
export function isValidMonthDay(text: string): boolean {
  return parseMonthDay(text) !== null
}

function compareMonthDay(a: MonthDay, b: MonthDay): number {
  return a.month - b.month || a.day - b.day
}

function requireMonthDay(text: string, field: string): MonthDay {
  const parsed = parseMonthDay(text)
  if (!parsed) throw new RangeError(`${field} "${text}" is not a month-day like "07-01"`)
  return parsed
}

/**
 * The season (`"2026-27"`) that `instant` falls in, read in the competition's zone. A season that
 * fits in one calendar year (start "01-01", end "12-31") is named by its year alone (`"2026"`).
 * An instant after the season's end but before the next start (a competition with a summer
 * break) still belongs to the season that started last: the break holds no events to enforce,
 * and a play-off scheduled in it belongs with its season, not the next one.
 */
export function seasonOf(instant: number, competition: Competition): string {
  const start = requireMonthDay(competition.seasonStart ?? defaultSeasonStart, 'seasonStart')
  const end = requireMonthDay(competition.seasonEnd ?? defaultSeasonEnd, 'seasonEnd')
  const local = DateTime.fromMillis(instant, { zone: competition.timeZone })
  if (!local.isValid) throw new RangeError(`unknown time zone "${competition.timeZone}"`)
  const beforeStart = compareMonthDay({ month: local.month, day: local.day }, start) < 0
  const startYear = beforeStart ? local.year - 1 : local.year
  return seasonKey(startYear, compareMonthDay(end, start) < 0)
}

function seasonKey(startYear: number, spansNewYear: boolean): string {
  if (!spansNewYear) return String(startYear)
  return `${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`
}

export type SeasonKeyResult = { ok: true; startYear: number } | { ok: false; message: string }

/** Reads a season key: "2026-27" (the second year must follow the first) or a calendar-year "2026". */
export function parseSeasonKey(key: string): SeasonKeyResult {
  const match = typeof key === 'string' ? /^(\d{4})(?:-(\d{2}))?$/.exec(key) : null
  if (!match) return { ok: false, message: `"${key}" is not a season like "2026-27"` }
  const startYear = Number(match[1])
  if (match[2] !== undefined && Number(match[2]) !== (startYear + 1) % 100) {
    return {
      ok: false,
      message: `season "${key}" must end the year after it starts: "${seasonKey(startYear, true)}"`,
    }
  }
  return { ok: true, startYear }
}
