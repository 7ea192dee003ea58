import t from 'tap'
import { isValidMonthDay, parseSeasonKey, seasonOf } from '../src/season.js'
import { at, serieA } from './fixtures/state-inputs.js'

t.test('a season runs from 1 July to 30 June local time by default', async (t) => {
  t.equal(seasonOf(at('2026-06-30T23:59:59+02:00'), serieA), '2025-26', 'last second of 30 June')
  t.equal(seasonOf(at('2026-07-01T00:00:00+02:00'), serieA), '2026-27', 'first second of 1 July')
  t.equal(seasonOf(at('2026-11-29T20:45:00+01:00'), serieA), '2026-27', 'a November match')
  t.equal(seasonOf(at('2027-05-23T18:00:00+02:00'), serieA), '2026-27', 'a May match')
  t.equal(seasonOf(at('2099-12-31T12:00:00+01:00'), serieA), '2099-00', 'the century wraps to two digits')
})

t.test('the season boundary is read in the competition zone, not UTC', async (t) => {
  const instant = at('2026-06-30T22:30:00Z') // 1 July 00:30 in Rome
  t.equal(seasonOf(instant, serieA), '2026-27', 'already July in Rome')
  t.equal(seasonOf(instant, { ...serieA, timeZone: 'UTC' }), '2025-26', 'still June in UTC')
})

t.test('a competition may set its own season bounds', async (t) => {
  const league = { ...serieA, seasonStart: '08-15', seasonEnd: '05-31' }
  t.equal(seasonOf(at('2026-08-14T12:00:00+02:00'), league), '2025-26', 'before the custom start')
  t.equal(seasonOf(at('2026-08-15T00:00:00+02:00'), league), '2026-27', 'on the custom start')
  t.equal(
    seasonOf(at('2026-07-10T12:00:00+02:00'), league),
    '2025-26',
    'the summer break belongs to the ended season',
  )
  const calendarYear = { ...serieA, seasonStart: '01-01', seasonEnd: '12-31' }
  t.equal(seasonOf(at('2026-12-31T23:00:00+01:00'), calendarYear), '2026', 'a calendar-year season')
  t.equal(seasonOf(at('2027-01-01T00:00:00+01:00'), calendarYear), '2027', 'the next calendar year')
})

t.test('season bounds and keys are validated', async (t) => {
  t.ok(isValidMonthDay('07-01'), '07-01')
  t.ok(isValidMonthDay('02-29'), 'a leap day can bound a season')
  for (const bad of ['7-01', '13-01', '06-31', '00-10', '07/01', ''])
    t.notOk(isValidMonthDay(bad), `"${bad}"`)
  t.same(parseSeasonKey('2026-27'), { ok: true, startYear: 2026 }, 'a season key')
  t.same(parseSeasonKey('2026'), { ok: true, startYear: 2026 }, 'a calendar-year season key')
  t.match(
    parseSeasonKey('2026-28'),
    { ok: false, message: /2026-27/ },
    'the second year must follow the first',
  )
  t.match(parseSeasonKey('26-27'), { ok: false }, 'a short year')
  t.throws(() => seasonOf(0, { ...serieA, seasonStart: '7-1' }), RangeError, 'a bad bound throws')
})
