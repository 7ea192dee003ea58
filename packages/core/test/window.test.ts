import t from 'tap'
import type { MatchEvent } from '../src/time.js'
import { eventWindow } from '../src/window.js'
import { at, minute, serieA } from './fixtures/state-inputs.js'

const match = (kickoff: string, end: string, extra: Partial<MatchEvent> = {}): MatchEvent => ({
  id: 'm1',
  competition: 'serie-a',
  kickoff: at(kickoff),
  end: at(end),
  status: 'scheduled',
  ...extra,
})

t.test('a window opens pre minutes before kickoff and closes post minutes after the end', async (t) => {
  const w = eventWindow(match('2026-11-29T20:45:00+01:00', '2026-11-29T22:40:00+01:00'), serieA)
  t.same(
    w,
    {
      event: 'm1',
      competition: 'serie-a',
      opensAt: at('2026-11-29T20:30:00+01:00'),
      closesAt: at('2026-11-29T23:10:00+01:00'),
      week: '2026-W48',
    },
    'competition defaults 15/30',
  )
})

t.test('per-event pre and post minutes override the competition defaults', async (t) => {
  const event = match('2026-11-29T20:45:00+01:00', '2026-11-29T22:40:00+01:00', {
    preMinutes: 0,
    postMinutes: 90,
  })
  const w = eventWindow(event, serieA)
  t.equal(w?.opensAt, event.kickoff, 'pre 0 opens at kickoff')
  t.equal(w?.closesAt, event.end + 90 * minute, 'post 90')
})

t.test('cancelled and postponed events have no window; live ones do', async (t) => {
  const kick = '2026-11-29T20:45:00+01:00'
  const end = '2026-11-29T22:40:00+01:00'
  t.equal(eventWindow(match(kick, end, { status: 'cancelled' }), serieA), null, 'cancelled')
  t.equal(eventWindow(match(kick, end, { status: 'postponed' }), serieA), null, 'postponed')
  t.not(eventWindow(match(kick, end, { status: 'live' }), serieA), null, 'live')
})

t.test('a window across midnight keeps the week of its kickoff', async (t) => {
  const w = eventWindow(match('2026-11-28T23:00:00+01:00', '2026-11-29T00:55:00+01:00'), serieA)
  t.equal(w?.closesAt, at('2026-11-29T01:25:00+01:00'), 'closes on the next day')
  t.equal(w?.week, '2026-W48', 'week of kickoff')
})

t.test('a Sunday 23:30 kickoff uses its own week even though the window spills into Monday', async (t) => {
  const w = eventWindow(match('2026-11-29T23:30:00+01:00', '2026-11-30T01:25:00+01:00'), serieA)
  t.equal(w?.week, '2026-W48', 'the kickoff week, not the Monday week')
  t.equal(w?.closesAt, at('2026-11-30T01:55:00+01:00'), 'the window runs into Monday')
})

t.test('a Monday 00:10 kickoff uses the new week although its window opens on Sunday', async (t) => {
  const w = eventWindow(match('2026-11-30T00:10:00+01:00', '2026-11-30T02:00:00+01:00'), serieA)
  t.equal(w?.opensAt, at('2026-11-29T23:55:00+01:00'), 'opens on Sunday')
  t.equal(w?.week, '2026-W49', 'the kickoff week')
})

t.test('the week of a kickoff is taken in the competition zone', async (t) => {
  const event = match('2026-11-29T23:30:00Z', '2026-11-30T01:30:00Z')
  t.equal(eventWindow(event, serieA)?.week, '2026-W49', 'Monday 00:30 in Rome')
  t.equal(eventWindow(event, { ...serieA, timeZone: 'UTC' })?.week, '2026-W48', 'Sunday 23:30 in UTC')
})

t.test('a window over the spring DST change lasts the real elapsed time', async (t) => {
  // 02:00 CET → 03:00 CEST on 29 March 2026: kickoff 01:30 CET, end 03:30 CEST is one real hour.
  const w = eventWindow(match('2026-03-29T01:30:00+01:00', '2026-03-29T03:30:00+02:00'), serieA)
  t.equal((w?.closesAt ?? 0) - (w?.opensAt ?? 0), (15 + 60 + 30) * minute, '105 real minutes')
  t.equal(w?.week, '2026-W13', 'week of the change')
})
