import { type Competition, type EventWindow, isoWeekKey, type MatchEvent } from './time.js'

const minute = 60_000

/**
 * The window `[kickoff − pre, end + post)` in which an event justifies blocking (SPEC rule 2),
 * with per-event pre/post minutes overriding the competition's. Null when the event is cancelled
 * or postponed: such an event blocks nothing. The week is the ISO week of the kickoff in the
 * competition's zone, even when the window starts before or spills past the week boundary, because
 * an event uses the list of the week its kickoff falls in (SPEC rule 3).
 */
export function eventWindow(event: MatchEvent, competition: Competition): EventWindow | null {
  if (event.status === 'cancelled' || event.status === 'postponed') return null
  const pre = event.preMinutes ?? competition.preMinutes
  const post = event.postMinutes ?? competition.postMinutes
  return {
    event: event.id,
    competition: event.competition,
    opensAt: event.kickoff - pre * minute,
    closesAt: event.end + post * minute,
    week: isoWeekKey(event.kickoff, competition.timeZone),
  }
}
