import type { Competition, MatchEvent } from '@offside/core'
import t from 'tap'
import { plannedInstants, windowStillDue } from '../src/timeline.js'

const serieA: Competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 15,
  postMinutes: 30,
}
const now = Date.parse('2026-10-23T12:00:00Z') // a Friday; Rome leaves summer time on Sunday 25 October
const match: MatchEvent = {
  id: 'm1',
  competition: 'serie-a',
  kickoff: Date.parse('2026-10-24T18:45:00Z'),
  end: Date.parse('2026-10-24T20:40:00Z'),
  status: 'scheduled',
}
const calendar = (events: MatchEvent[]) => ({ now, graceMs: 60_000, competitions: [serieA], events })
const DAY = 24 * 3600_000

t.test('a window has an instant at its opening and at its end plus grace', async (t) => {
  const instants = plannedInstants(calendar([match]), 3 * DAY)
  const open = instants.find((i) => i.job.kind === 'window-open')
  const close = instants.find((i) => i.job.kind === 'window-close')
  t.equal(open?.job.scheduledAt, match.kickoff - 15 * 60_000, 'opens 15 minutes before kickoff')
  t.equal(
    close?.job.scheduledAt,
    match.end + 30 * 60_000 + 60_000,
    'closes 30 minutes after the end, plus grace',
  )
  t.equal(open?.id, `window-open.m1.${match.kickoff - 15 * 60_000}`, 'the job id names the event and instant')
  t.same(
    plannedInstants(calendar([match]), 3 * DAY).map((i) => i.id),
    instants.map((i) => i.id),
    'planning twice gives the same ids, so jobs are never duplicated',
  )
})

t.test(
  'the weekly rotation falls on Monday 00:00 in the competition zone, across a DST change',
  async (t) => {
    const rotations = plannedInstants(calendar([]), 10 * DAY).filter((i) => i.job.kind === 'rotation')
    t.same(
      rotations.map((i) => new Date(i.job.scheduledAt).toISOString()),
      ['2026-10-25T23:00:00.000Z', '2026-11-01T23:00:00.000Z'],
      'Mondays 00:00 in Rome are 23:00 UTC once summer time has ended',
    )
    t.equal(rotations[0]?.job.week, '2026-W44', 'the rotation names the week that starts')
  },
)

t.test('cancelled events and instants beyond the horizon get no job', async (t) => {
  t.same(
    plannedInstants(calendar([{ ...match, status: 'cancelled' }]), 3 * DAY).filter(
      (i) => i.job.kind !== 'rotation',
    ),
    [],
    'a cancelled event has no instants',
  )
  t.same(
    plannedInstants(calendar([match]), 3600_000).filter((i) => i.job.kind !== 'rotation'),
    [],
    'a window beyond the horizon is not planned yet',
  )
})

t.test('a window job is due only while the event still has that window', async (t) => {
  const opensAt = match.kickoff - 15 * 60_000
  const job = { kind: 'window-open' as const, event: 'm1', scheduledAt: opensAt }
  t.ok(windowStillDue({ ...calendar([match]), now: opensAt }, job), 'due at its instant')
  const moved = { ...match, kickoff: match.kickoff + 3600_000, end: match.end + 3600_000 }
  t.notOk(windowStillDue({ ...calendar([moved]), now: opensAt }, job), 'not after the event moved')
  t.notOk(
    windowStillDue({ ...calendar([match]), now: match.end + 40 * 60_000 }, job),
    'not once the window has ended: nothing is enforced past until',
  )
})
