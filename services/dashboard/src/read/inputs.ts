/**
 * The dashboard's read side: gathers everything the view needs from Redis through the store's
 * aggregate modules. Read-only. Each part is read on its own so one failing part (or one not yet
 * deployed) shows as "unavailable" instead of blanking the whole page.
 */
import { DEFAULT_COMPLIANCE_LATE_MS, displayPrefix } from '@offside/core'
import {
  currentRevision,
  type Db,
  listBreakerHolds,
  listCompetitions,
  listComplaints,
  listEvents,
  listPendingHeld,
  readRevisionsSince,
  readSnapshot,
} from '@offside/store'
import type { DashboardInputs, RevisionInput } from '../view-model.js'
import { TIMELINE_LENGTH } from '../view-model.js'
import { readAgents } from './agents.js'
import type { surveillanceReader } from './surveillance.js'

async function part<T>(name: string, unavailable: string[], fallback: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch {
    unavailable.push(name)
    return fallback
  }
}

type Snapshot = Awaited<ReturnType<typeof readSnapshot>>

/**
 * Reads the snapshot only when the revision counter moved: a snapshot can hold 100k prefixes and
 * the view is rebuilt every poll. Keeping the same object also lets the view model reuse its
 * address counts (memoised by identity).
 */
export function snapshotReader(db: Db): () => Promise<Snapshot> {
  let cached: Snapshot | undefined
  return async () => {
    const revision = await currentRevision(db)
    if (cached?.revision !== revision) cached = await readSnapshot(db)
    return cached
  }
}

/** Reads every source of the view at `now`. */
export async function readInputs(
  db: Db,
  now: number,
  readCurrentSnapshot: () => Promise<Snapshot> = () => readSnapshot(db),
  complianceLateMs = DEFAULT_COMPLIANCE_LATE_MS,
  readCurrentSurveillance?: ReturnType<typeof surveillanceReader>,
): Promise<DashboardInputs> {
  const unavailable: string[] = []
  const snapshot = await part('enforcement', unavailable, null, readCurrentSnapshot)
  const revision = snapshot?.revision ?? 0
  const [competitions, events, agents, held, breaker, complaints, revisions] = await Promise.all([
    part('calendar', unavailable, [], () => listCompetitions(db)),
    part('calendar', unavailable, [], () => listEvents(db)),
    part('agents', unavailable, [], () => readAgents(db, now, complianceLateMs)),
    part('guard', unavailable, [], async () => (await listPendingHeld(db, { limit: 500 })).entries),
    part('guard', unavailable, [], () => listBreakerHolds(db)),
    part('complaints', unavailable, [], () => listComplaints(db, 'open')),
    part('timeline', unavailable, [] as RevisionInput[], async () => {
      const from = Math.max(0, revision - TIMELINE_LENGTH)
      return (await readRevisionsSince(db, from, TIMELINE_LENGTH)) ?? []
    }),
  ])
  return {
    now,
    revision,
    groups: snapshot?.groups ?? [],
    competitions,
    events,
    agents,
    held: held.map((entry) => ({
      id: entry.id,
      target: displayPrefix(entry.target),
      rightsholder: entry.rightsholder,
      week: entry.week,
      heldAt: entry.heldAt,
      reasons: entry.reasons.map((reason) => ({ code: reason.code, message: reason.message })),
      ...(entry.announcedBy ? { announcedBy: entry.announcedBy } : {}),
    })),
    breaker: breaker.map((hold) => ({
      id: hold.id,
      heldAt: hold.createdAt,
      message: hold.reason.message,
      cause: hold.cause.kind,
      latestCause: hold.latestCause.kind,
      recomputes: hold.recomputes,
      previous: hold.previous,
      next: hold.next,
      factor: hold.factor,
      added: hold.added,
    })),
    complaints: complaints.map((c) => ({
      id: c.id,
      target: displayPrefix(c.target),
      reason: c.reason,
      filedAt: c.filedAt,
      status: c.status,
    })),
    // After the calendar: lists are keyed by week in the competitions' time zones.
    surveillance: readCurrentSurveillance
      ? await part('surveillance', unavailable, [], () => readCurrentSurveillance(now, competitions))
      : [],
    revisions,
    unavailable: [...new Set(unavailable)],
  }
}
