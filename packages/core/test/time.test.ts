import t from 'tap'
import {
  isoWeekKey,
  isValidTimeZone,
  nextWeek,
  parseInstant,
  parseWeekKey,
  previousWeek,
  wallClockToInstant,
  weekBounds,
} from '../src/time.js'

const hour = 3_600_000
const at = (iso: string) => Date.parse(iso)

t.test('an instant is keyed by the ISO week of its local date in the given zone', async (t) => {
  t.equal(isoWeekKey(at('2026-11-29T20:45:00+01:00'), 'Europe/Rome'), '2026-W48', 'Sunday evening is in W48')
  t.equal(
    isoWeekKey(at('2026-11-30T00:00:00+01:00'), 'Europe/Rome'),
    '2026-W49',
    'Monday midnight starts W49',
  )
  t.equal(isoWeekKey(at('2026-11-29T23:59:59.999+01:00'), 'Europe/Rome'), '2026-W48', 'last ms of Sunday')
})

t.test('the week-numbering year differs from the calendar year around New Year', async (t) => {
  t.equal(isoWeekKey(at('2026-12-31T12:00:00+01:00'), 'Europe/Rome'), '2026-W53', '2026 has 53 weeks')
  t.equal(isoWeekKey(at('2027-01-01T12:00:00+01:00'), 'Europe/Rome'), '2026-W53', '1 Jan 2027 is in 2026-W53')
  t.equal(isoWeekKey(at('2027-01-04T00:00:00+01:00'), 'Europe/Rome'), '2027-W01', 'first Monday of 2027')
  t.equal(
    isoWeekKey(at('2024-12-31T12:00:00+01:00'), 'Europe/Rome'),
    '2025-W01',
    '31 Dec 2024 is in 2025-W01',
  )
})

t.test('one instant can fall in different weeks in UTC and in Europe/Rome', async (t) => {
  // Sunday 23:30 UTC is already Monday 00:30 in Rome.
  const instant = at('2026-11-29T23:30:00Z')
  t.equal(isoWeekKey(instant, 'UTC'), '2026-W48', 'still Sunday in UTC')
  t.equal(isoWeekKey(instant, 'Europe/Rome'), '2026-W49', 'already Monday in Rome')
  const utc = weekBounds('2026-W49', 'UTC')
  const rome = weekBounds('2026-W49', 'Europe/Rome')
  t.equal(utc.start - rome.start, hour, 'the Rome week starts one hour before the UTC week in winter')
})

t.test('a week runs from Monday 00:00 local to the next Monday 00:00 local', async (t) => {
  const bounds = weekBounds('2026-W48', 'Europe/Rome')
  t.equal(bounds.start, at('2026-11-23T00:00:00+01:00'), 'starts Monday 23 Nov at local midnight')
  t.equal(bounds.end, at('2026-11-30T00:00:00+01:00'), 'ends at the next Monday local midnight')
  t.equal(isoWeekKey(bounds.start, 'Europe/Rome'), '2026-W48', 'start is inside the week')
  t.equal(isoWeekKey(bounds.end, 'Europe/Rome'), '2026-W49', 'end belongs to the next week')
})

t.test('the week of the spring DST change is 167 hours long in Europe/Rome', async (t) => {
  // Last Sunday of March 2026 is the 29th: 02:00 CET becomes 03:00 CEST.
  t.equal(isoWeekKey(at('2026-03-29T12:00:00+02:00'), 'Europe/Rome'), '2026-W13', 'the change is in W13')
  const bounds = weekBounds('2026-W13', 'Europe/Rome')
  t.equal(bounds.end - bounds.start, 167 * hour, 'one hour shorter')
  t.equal(bounds.start, at('2026-03-23T00:00:00+01:00'), 'starts at CET midnight')
  t.equal(bounds.end, at('2026-03-30T00:00:00+02:00'), 'ends at CEST midnight')
})

t.test('the week of the autumn DST change is 169 hours long in Europe/Rome', async (t) => {
  // Last Sunday of October 2026 is the 25th: 03:00 CEST becomes 02:00 CET.
  t.equal(isoWeekKey(at('2026-10-25T12:00:00+01:00'), 'Europe/Rome'), '2026-W43', 'the change is in W43')
  const bounds = weekBounds('2026-W43', 'Europe/Rome')
  t.equal(bounds.end - bounds.start, 169 * hour, 'one hour longer')
  t.equal(
    weekBounds('2026-W43', 'UTC').end - weekBounds('2026-W43', 'UTC').start,
    168 * hour,
    'UTC has no DST',
  )
})

t.test('consecutive weeks tile time with no gap and no overlap', async (t) => {
  let week = '2026-W50'
  for (let i = 0; i < 60; i++) {
    const following = nextWeek(week)
    t.equal(
      weekBounds(week, 'Europe/Rome').end,
      weekBounds(following, 'Europe/Rome').start,
      `${week} meets ${following}`,
    )
    t.equal(previousWeek(following), week, `previousWeek undoes nextWeek at ${week}`)
    week = following
  }
})

t.test('previous and next week cross ISO year boundaries', async (t) => {
  t.equal(previousWeek('2027-W01'), '2026-W53', 'into a 53-week year')
  t.equal(previousWeek('2026-W01'), '2025-W52', 'into a 52-week year')
  t.equal(nextWeek('2026-W53'), '2027-W01', 'out of week 53')
})

t.test('a week key is refused with a reason when malformed or out of range', async (t) => {
  t.same(parseWeekKey('2026-W48'), { ok: true, weekYear: 2026, weekNumber: 48 }, 'a good key parses')
  t.equal(parseWeekKey('2026-W53').ok, true, '2026 has a week 53')
  for (const key of ['2026-48', '2026-W7', '2026W48', '2026-w48', ' 2026-W48', '26-W48', '']) {
    t.match(parseWeekKey(key), { ok: false, reason: 'malformed' }, `"${key}" is malformed`)
  }
  t.match(parseWeekKey('2026-W54'), { ok: false, reason: 'week-out-of-range' }, 'no year has 54 weeks')
  t.match(parseWeekKey('2027-W53'), { ok: false, reason: 'week-out-of-range' }, '2027 has 52 weeks')
  t.match(parseWeekKey('2026-W00'), { ok: false, reason: 'week-out-of-range' }, 'weeks start at 01')
  t.throws(() => weekBounds('2026-W54', 'Europe/Rome'), RangeError, 'weekBounds refuses a bad key')
})

t.test('time zones are validated as IANA names', async (t) => {
  t.ok(isValidTimeZone('Europe/Rome'), 'Europe/Rome')
  t.ok(isValidTimeZone('UTC'), 'UTC')
  t.notOk(isValidTimeZone('Europe/Roma'), 'a typo')
  t.notOk(isValidTimeZone(''), 'empty')
  t.notOk(isValidTimeZone('+01:00'), 'an offset is not a zone')
  t.throws(() => isoWeekKey(0, 'Mars/Olympus'), RangeError, 'isoWeekKey refuses an unknown zone')
})

t.test('an instant is read only when it states its offset and the date exists', async (t) => {
  t.equal(parseInstant('2026-11-29T20:45:00+01:00'), at('2026-11-29T19:45:00Z'), 'with an offset')
  t.equal(parseInstant('2026-11-29T19:45:00Z'), at('2026-11-29T19:45:00Z'), 'in UTC')
  t.equal(parseInstant('2026-11-29T20:45+01:00'), at('2026-11-29T19:45:00Z'), 'seconds may be left out')
  t.equal(parseInstant('2026-11-29T20:45:00.250+01:00'), at('2026-11-29T19:45:00.250Z'), 'with a fraction')
  for (const bad of [
    '2026-11-29T20:45:00',
    '2026-11-29',
    '2026-02-30T10:00:00Z',
    '2026-11-29 20:45:00Z',
    'tomorrow',
  ]) {
    t.equal(parseInstant(bad), null, `"${bad}" is refused`)
  }
})

t.test('a wall-clock time is resolved in its zone as RFC 5545 says around DST changes', async (t) => {
  const wall = (month: number, day: number, hour: number, minute = 0) => ({
    year: 2026,
    month,
    day,
    hour,
    minute,
    second: 0,
  })
  t.equal(
    wallClockToInstant(wall(11, 29, 20, 45), 'Europe/Rome'),
    at('2026-11-29T20:45:00+01:00'),
    'winter time',
  )
  t.equal(
    wallClockToInstant(wall(7, 1, 20, 45), 'Europe/Rome'),
    at('2026-07-01T20:45:00+02:00'),
    'summer time',
  )
  t.equal(
    wallClockToInstant(wall(10, 25, 2, 30), 'Europe/Rome'),
    at('2026-10-25T02:30:00+02:00'),
    'a time that occurs twice is its first occurrence',
  )
  t.equal(
    wallClockToInstant(wall(3, 29, 2, 30), 'Europe/Rome'),
    at('2026-03-29T03:30:00+02:00'),
    'a time in the spring gap moves forward by the gap',
  )
  t.equal(wallClockToInstant(wall(2, 30, 12), 'Europe/Rome'), null, 'a date that does not exist')
  t.equal(wallClockToInstant(wall(11, 29, 12), 'Mars/Olympus'), null, 'an unknown zone')
})
