import type { Competition, MatchEvent } from '@offside/core'
import type { Db } from './keys.js'
import { getRecord, listRecords, putStateRecords } from './records.js'

/** Creates or replaces a competition; returns whether it was new. */
export async function putCompetition(db: Db, competition: Competition): Promise<boolean> {
  return (await putStateRecords(db, db.keys.competitions, [competition])) === 1
}

export function getCompetition(db: Db, id: string): Promise<Competition | null> {
  return getRecord<Competition>(db, db.keys.competitions, id)
}

export async function listCompetitions(db: Db): Promise<Competition[]> {
  return (await listRecords<Competition>(db, db.keys.competitions)).sort((a, b) => a.id.localeCompare(b.id))
}

/** Creates or replaces one event (moving, extending or cancelling it is a replace too). */
export async function putEvent(db: Db, event: MatchEvent): Promise<boolean> {
  return (await putStateRecords(db, db.keys.events, [event])) === 1
}

/** Writes many events in one transaction: an import is stored whole or not at all. */
export async function putEvents(db: Db, events: MatchEvent[]): Promise<void> {
  if (events.length > 0) await putStateRecords(db, db.keys.events, events)
}

export function getEvent(db: Db, id: string): Promise<MatchEvent | null> {
  return getRecord<MatchEvent>(db, db.keys.events, id)
}

export async function listEvents(db: Db, filter: { competition?: string } = {}): Promise<MatchEvent[]> {
  return (await listRecords<MatchEvent>(db, db.keys.events))
    .filter((event) => filter.competition === undefined || event.competition === filter.competition)
    .sort((a, b) => a.kickoff - b.kickoff || a.id.localeCompare(b.id))
}
