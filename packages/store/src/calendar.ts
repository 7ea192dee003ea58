import type { Competition, MatchEvent } from '@offside/core'
import type { Db } from './keys.js'

async function readAll<T>(db: Db, key: string): Promise<T[]> {
  return (await db.redis.hvals(key)).map((raw) => JSON.parse(raw) as T)
}

/** Creates or replaces a competition; returns whether it was new. */
export async function putCompetition(db: Db, competition: Competition): Promise<boolean> {
  const [[, added] = []] =
    (await db.redis
      .multi()
      .hset(db.keys.competitions, competition.id, JSON.stringify(competition))
      .incr(db.keys.stateGeneration)
      .exec()) ?? []
  return added === 1
}

export async function getCompetition(db: Db, id: string): Promise<Competition | null> {
  const raw = await db.redis.hget(db.keys.competitions, id)
  return raw ? (JSON.parse(raw) as Competition) : null
}

export async function listCompetitions(db: Db): Promise<Competition[]> {
  return (await readAll<Competition>(db, db.keys.competitions)).sort((a, b) => a.id.localeCompare(b.id))
}

/** Creates or replaces one event (moving, extending or cancelling it is a replace too). */
export async function putEvent(db: Db, event: MatchEvent): Promise<boolean> {
  const [[, added] = []] =
    (await db.redis
      .multi()
      .hset(db.keys.events, event.id, JSON.stringify(event))
      .incr(db.keys.stateGeneration)
      .exec()) ?? []
  return added === 1
}

/** Writes many events in one transaction: an import is stored whole or not at all. */
export async function putEvents(db: Db, events: MatchEvent[]): Promise<void> {
  if (events.length === 0) return
  const fields: string[] = []
  for (const event of events) fields.push(event.id, JSON.stringify(event))
  await db.redis
    .multi()
    .hset(db.keys.events, ...fields)
    .incr(db.keys.stateGeneration)
    .exec()
}

export async function getEvent(db: Db, id: string): Promise<MatchEvent | null> {
  const raw = await db.redis.hget(db.keys.events, id)
  return raw ? (JSON.parse(raw) as MatchEvent) : null
}

export async function listEvents(db: Db, filter: { competition?: string } = {}): Promise<MatchEvent[]> {
  return (await readAll<MatchEvent>(db, db.keys.events))
    .filter((event) => filter.competition === undefined || event.competition === filter.competition)
    .sort((a, b) => a.kickoff - b.kickoff || a.id.localeCompare(b.id))
}
