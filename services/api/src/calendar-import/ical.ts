import { createHash } from 'node:crypto'
import { isValidTimeZone, wallClockToInstant } from '@offside/core'
import ICAL from 'ical.js'
import {
  type ImportOptions,
  type ImportResult,
  idPattern,
  type ReadResult,
  RowReader,
  readEvents,
} from './fields.js'

type Component = InstanceType<typeof ICAL.Component>
type Property = InstanceType<typeof ICAL.Property>

/** Where an event's instants are read: a named zone, UTC, or a VTIMEZONE the file defines. */
interface Zones {
  /** X-WR-TIMEZONE: the calendar's zone for floating times, as Google Calendar exports it. */
  calendarZone?: string
  /** VTIMEZONE components by TZID, for zones that are not IANA names (Outlook's "W. Europe Standard Time"). */
  defined: Map<string, InstanceType<typeof ICAL.Timezone>>
}

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$/

/**
 * Reads an iCalendar file (RFC 5545): each VEVENT is one event. UID → id (a UID that is not a
 * valid id, such as "m1@legaseriea.it", gets a stable id derived from its hash so that importing the
 * same calendar again updates the same events), DTSTART → kickoff, DTEND or DURATION → end,
 * SUMMARY → title, STATUS:CANCELLED → cancelled. Offside's own properties refine it:
 * X-OFFSIDE-COMPETITION (on the event or the calendar; else the caller's competition),
 * X-OFFSIDE-STATUS, X-OFFSIDE-PRE-MINUTES, X-OFFSIDE-POST-MINUTES.
 */
export function parseIcalImport(body: string, options: ImportOptions): ImportResult {
  let calendar: Component
  try {
    calendar = new ICAL.Component(ICAL.parse(body))
  } catch (err) {
    return {
      ok: false,
      errors: [{ field: 'body', reason: `not an iCalendar file: ${(err as Error).message}` }],
    }
  }
  if (calendar.name !== 'vcalendar') {
    return {
      ok: false,
      errors: [{ field: 'body', reason: 'an iCalendar file must start with BEGIN:VCALENDAR' }],
    }
  }
  const zones: Zones = { defined: new Map() }
  const calendarZone = text(calendar, 'x-wr-timezone')
  if (calendarZone !== undefined && isValidTimeZone(calendarZone)) zones.calendarZone = calendarZone
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) {
    const tzid = text(vtimezone, 'tzid')
    if (tzid !== undefined) zones.defined.set(tzid, new ICAL.Timezone({ component: vtimezone, tzid }))
  }
  const competition = text(calendar, 'x-offside-competition') ?? options.competition
  const vevents = calendar.getAllSubcomponents('vevent')
  if (vevents.length === 0)
    return { ok: false, errors: [{ field: 'body', reason: 'the calendar holds no VEVENT' }] }

  return readEvents(vevents, (vevent, index) => readVeventSafely(vevent, index, zones, competition))
}

/** ical.js decorates values lazily and throws on some malformed ones; such an event is refused, named. */
function readVeventSafely(...args: Parameters<typeof readVevent>): ReturnType<typeof readVevent> {
  try {
    return readVevent(...args)
  } catch (err) {
    return {
      errors: [{ index: args[1], field: 'body', reason: `a malformed VEVENT: ${(err as Error).message}` }],
    }
  }
}

function readVevent(
  vevent: Component,
  index: number,
  zones: Zones,
  calendarCompetition: string | undefined,
): ReadResult {
  const row = new RowReader(index)
  if (
    vevent.getFirstProperty('rrule') ||
    vevent.getFirstProperty('rdate') ||
    vevent.getFirstProperty('recurrence-id')
  ) {
    row.fail('kickoff', 'recurring events are not supported: list each match as its own VEVENT')
  }
  const uid = text(vevent, 'uid')
  const id = uid === undefined ? row.fail('id', 'UID is required') : idFromUid(uid)
  const competition = row.id('competition', text(vevent, 'x-offside-competition') ?? calendarCompetition)
  const kickoff = instant(row, 'kickoff', vevent.getFirstProperty('dtstart'), zones)
  const end = readEnd(row, vevent, kickoff, zones)
  row.span(kickoff, end)
  const preMinutes = row.minutes('preMinutes', text(vevent, 'x-offside-pre-minutes'))
  const postMinutes = row.minutes('postMinutes', text(vevent, 'x-offside-post-minutes'))
  const cancelled = text(vevent, 'status')?.toUpperCase() === 'CANCELLED'
  const status = row.status(
    'status',
    text(vevent, 'x-offside-status') ?? (cancelled ? 'cancelled' : undefined),
  )
  const title = row.title('title', text(vevent, 'summary'))
  return row.result({ id, competition, kickoff, end, preMinutes, postMinutes, status, title })
}

/** A UID that already is a valid id is kept; any other gets a stable id derived from it. */
export function idFromUid(uid: string): string {
  if (idPattern.test(uid)) return uid
  return `ics-${createHash('sha256').update(uid).digest('hex').slice(0, 32)}`
}

function readEnd(
  row: RowReader,
  vevent: Component,
  kickoff: number | undefined,
  zones: Zones,
): number | undefined {
  const dtend = vevent.getFirstProperty('dtend')
  if (dtend) return instant(row, 'end', dtend, zones)
  const duration = vevent.getFirstProperty('duration')
  if (!duration) return row.fail('end', 'DTEND or DURATION is required')
  const value = duration.getFirstValue()
  if (!(value instanceof ICAL.Duration) || value.isNegative)
    return row.fail('end', 'DURATION must be a positive duration')
  return kickoff === undefined ? undefined : kickoff + value.toSeconds() * 1000
}

/**
 * The instant of a DTSTART/DTEND: UTC when it ends in Z, else the local time in its TZID (an IANA
 * name, or a VTIMEZONE of the file), else in the calendar's X-WR-TIMEZONE. A floating time with
 * none of these, or a date with no time, is refused: guessing a zone would shift every window.
 */
function instant(row: RowReader, field: string, property: Property | null, zones: Zones): number | undefined {
  const name = field === 'kickoff' ? 'DTSTART' : 'DTEND'
  if (!property) return row.fail(field, `${name} is required`)
  if (property.type === 'date')
    return row.fail(field, `${name} is a date with no time; a match needs a date-time`)
  const raw = property.toJSON()[3]
  const match = typeof raw === 'string' ? dateTimePattern.exec(raw) : null
  if (!match) return row.fail(field, `${name} "${String(raw)}" is not a date-time`)
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const wall = { year, month, day, hour, minute, second }
  const tzidParameter = property.getParameter('tzid')
  const tzid = Array.isArray(tzidParameter) ? tzidParameter[0] : tzidParameter
  let result: number | null
  if (match[7] === 'Z') {
    result = wallClockToInstant(wall, 'UTC')
  } else if (tzid !== undefined && tzid !== '') {
    let local: number | null | undefined
    try {
      local = inZone(wall, tzid, zones)
    } catch (err) {
      // ical.js throws while expanding a VTIMEZONE whose own rules are broken (an empty DTSTART).
      return row.fail(
        field,
        `${name} uses the VTIMEZONE "${tzid}", which is malformed: ${(err as Error).message}`,
      )
    }
    if (local === undefined) return row.fail(field, `${name} names an unknown time zone "${tzid}"`)
    result = local
  } else if (zones.calendarZone !== undefined) {
    result = wallClockToInstant(wall, zones.calendarZone)
  } else {
    return row.fail(field, `${name} is a floating time: give a TZID, a UTC time (…Z) or X-WR-TIMEZONE`)
  }
  if (result === null) return row.fail(field, `${name} "${raw}" is not a real date-time`)
  return result
}

function inZone(
  wall: Parameters<typeof wallClockToInstant>[0],
  tzid: string,
  zones: Zones,
): number | null | undefined {
  // Some producers write "/Europe/Rome" or a vendor path ending in the IANA name.
  const iana = [tzid, tzid.replace(/^\/+/, ''), tzid.split('/').slice(-2).join('/')].find(isValidTimeZone)
  if (iana !== undefined) return wallClockToInstant(wall, iana)
  const defined = zones.defined.get(tzid)
  if (defined === undefined) return undefined
  const time = ICAL.Time.fromData({ ...wall, isDate: false }, defined)
  return Number.isFinite(time.toUnixTime()) ? time.toUnixTime() * 1000 : null
}

function text(component: Component, property: string): string | undefined {
  const value = component.getFirstPropertyValue(property)
  if (value === null || value === undefined) return undefined
  const string = String(value).trim()
  return string === '' ? undefined : string
}
