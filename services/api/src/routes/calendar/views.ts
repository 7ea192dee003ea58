import { type Competition, type EventWindow, eventWindow, type MatchEvent } from '@offside/core'

const iso = (ms: number) => new Date(ms).toISOString()

export function windowView(window: EventWindow) {
  return { ...window, opensAt: iso(window.opensAt), closesAt: iso(window.closesAt) }
}

/** An event as the API shows it: ISO instants and the window it opens. */
export function eventView(event: MatchEvent, competition: Competition | null) {
  const window = competition ? eventWindow(event, competition) : null
  return {
    ...event,
    kickoff: iso(event.kickoff),
    end: iso(event.end),
    window: window ? windowView(window) : null,
  }
}
