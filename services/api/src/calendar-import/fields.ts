import { type EventStatus, eventStatuses, type MatchEvent, parseInstant } from '@offside/core'

/** One refused row of an import: which event (0-based, in file order), which field, and why. */
export interface ImportError {
  /** Absent when the problem concerns the whole file (bad header, unparsable calendar). */
  index?: number
  field: string
  reason: string
}

export type ImportResult = { ok: true; events: MatchEvent[] } | { ok: false; errors: ImportError[] }

export interface ImportOptions {
  /** Competition for rows or calendar events that do not name one. */
  competition?: string
}

/** Same rule as the API's path ids (schemas/common.ts): short, URL-safe, no key separators. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Longest pre/post margin an event may ask for: beyond this a window stops being "around the match". */
export const maxMarginMinutes = 240

/**
 * Longest kickoff-to-end span accepted. A match lasts hours; a span of days is almost always a typo
 * in a date, and would keep blocks on for days (SPEC rule 5: no block outlives its event).
 */
export const maxEventMs = 24 * 3_600_000

/** The fields an event has before validation, as text (CSV) or JSON values. */
export type RawEvent = Record<string, unknown>

export const eventFields = [
  'id',
  'competition',
  'kickoff',
  'end',
  'preMinutes',
  'postMinutes',
  'status',
  'title',
]

/** One event's fields as read, each absent when it was missing or invalid. */
type ReadFields = Partial<Omit<MatchEvent, 'status'>> & { status: EventStatus }

/** What reading one event gives: the event when every field of it is valid, and its errors. */
export interface ReadResult {
  event?: MatchEvent
  errors: ImportError[]
}

/**
 * Reads each item of an import with `read` and refuses a repeated id: every event, or every error
 * of every item (so one answer names all that must be fixed).
 */
export function readEvents<T>(
  items: readonly T[],
  read: (item: T, index: number) => ReadResult,
): ImportResult {
  const events: MatchEvent[] = []
  const indexes: number[] = []
  const errors: ImportError[] = []
  items.forEach((item, index) => {
    const one = read(item, index)
    if (one.event) {
      events.push(one.event)
      indexes.push(index)
    }
    errors.push(...one.errors)
  })
  errors.push(...duplicateIds(events, indexes))
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events }
}

/** Collects the errors of one event while its fields are read. */
export class RowReader {
  readonly errors: ImportError[] = []

  constructor(readonly index: number) {}

  fail(field: string, reason: string): undefined {
    this.errors.push({ index: this.index, field, reason })
    return undefined
  }

  id(field: string, value: unknown): string | undefined {
    if (typeof value !== 'string' || value === '') return this.fail(field, 'is required')
    if (!idPattern.test(value)) {
      return this.fail(
        field,
        `"${value}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      )
    }
    return value
  }

  /** An ISO 8601 instant that states its offset, so no server zone ever guesses it. */
  instant(field: string, value: unknown): number | undefined {
    if (typeof value !== 'string' || value === '') return this.fail(field, 'is required')
    const instant = parseInstant(value)
    if (instant === null) {
      return this.fail(
        field,
        `"${value}" is not an ISO 8601 date-time with an offset, e.g. 2026-11-29T20:45:00+01:00`,
      )
    }
    return instant
  }

  /** Optional whole minutes between 0 and maxMarginMinutes; text is accepted for CSV cells. */
  minutes(field: string, value: unknown): number | undefined {
    if (value === undefined || value === null || value === '') return undefined
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > maxMarginMinutes) {
      return this.fail(
        field,
        `${JSON.stringify(value)} must be a whole number of minutes from 0 to ${maxMarginMinutes}`,
      )
    }
    return number
  }

  status(field: string, value: unknown): EventStatus {
    if (value === undefined || value === null || value === '') return 'scheduled'
    if (typeof value === 'string' && (eventStatuses as readonly string[]).includes(value))
      return value as EventStatus
    this.fail(field, `${JSON.stringify(value)} must be one of ${eventStatuses.join(', ')}`)
    return 'scheduled'
  }

  title(field: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value !== 'string') return this.fail(field, 'must be text')
    if (value.length > 200) return this.fail(field, 'must be at most 200 characters')
    return value
  }

  /** The event read, when every field of it was valid; else this row's errors. */
  result(fields: ReadFields): ReadResult {
    const { id, competition, kickoff, end } = fields
    if (this.errors.length > 0 || id === undefined || competition === undefined)
      return { errors: this.errors }
    if (kickoff === undefined || end === undefined) return { errors: this.errors }
    return { event: compact({ ...fields, id, competition, kickoff, end }), errors: [] }
  }

  /** Kickoff before end, and not absurdly far apart. */
  span(kickoff: number | undefined, end: number | undefined, endField = 'end'): void {
    if (kickoff === undefined || end === undefined) return
    if (end <= kickoff) this.fail(endField, 'must be after kickoff')
    else if (end - kickoff > maxEventMs) this.fail(endField, 'must be at most 24 hours after kickoff')
  }
}

/**
 * Validates one JSON object or CSV row into a MatchEvent; the event is returned only when every
 * field is valid. `competition` falls back to the caller's option.
 */
export function readEvent(raw: RawEvent, index: number, options: ImportOptions): ReadResult {
  const row = new RowReader(index)
  for (const field of Object.keys(raw)) {
    if (!eventFields.includes(field)) row.fail(field, `is not an event field (${eventFields.join(', ')})`)
  }
  const id = row.id('id', raw.id)
  const given =
    raw.competition === undefined || raw.competition === '' ? options.competition : raw.competition
  const competition = row.id('competition', given)
  const kickoff = row.instant('kickoff', raw.kickoff)
  const end = row.instant('end', raw.end)
  row.span(kickoff, end)
  const preMinutes = row.minutes('preMinutes', raw.preMinutes)
  const postMinutes = row.minutes('postMinutes', raw.postMinutes)
  const status = row.status('status', raw.status)
  const title = row.title('title', raw.title)
  return row.result({ id, competition, kickoff, end, preMinutes, postMinutes, status, title })
}

/** Drops absent optional fields so stored events carry no `undefined` members. */
export function compact(event: MatchEvent): MatchEvent {
  const out: MatchEvent = {
    id: event.id,
    competition: event.competition,
    kickoff: event.kickoff,
    end: event.end,
    status: event.status,
  }
  if (event.preMinutes !== undefined) out.preMinutes = event.preMinutes
  if (event.postMinutes !== undefined) out.postMinutes = event.postMinutes
  if (event.title !== undefined) out.title = event.title
  return out
}

/** Refuses a second event with an id already used earlier in the same import. */
function duplicateIds(events: { id: string }[], indexes: number[]): ImportError[] {
  const seen = new Map<string, number>()
  const errors: ImportError[] = []
  events.forEach((event, i) => {
    const index = indexes[i] ?? i
    const first = seen.get(event.id)
    if (first === undefined) seen.set(event.id, index)
    else
      errors.push({
        index,
        field: 'id',
        reason: `"${event.id}" is already used by the event at index ${first}`,
      })
  })
  return errors
}
