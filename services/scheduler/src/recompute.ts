import {
  activeAt,
  computeGroups,
  diffGroups,
  type EnforcementGroup,
  type GroupOp,
  liveWindows,
  type StateInputs,
} from '@offside/core'
import {
  type Db,
  loadStateInputs,
  type PublishResult,
  publishRevision,
  type RevisionCause,
  type RevisionRecord,
  readSnapshot,
} from '@offside/store'

/** How the scheduler computes revisions. */
export interface RecomputeSettings {
  horizonMs: number
  graceMs: number
  revisionHistory: number
  /** The clock; tests keep the real one, a benchmark may pin it. */
  clock?: () => number
}

/** One request for a revision. */
export interface RecomputeRequest {
  cause: RevisionCause
  /** The instant the state is computed for; defaults to the clock. A timed job passes its instant. */
  at?: number
  /** Publish even when nothing changes (window open/close: every agent acknowledges it). */
  publishEmpty?: boolean
  /** A calendar instant published at most once, e.g. `window-open|m1|1796000000000`. */
  instant?: { key: string; at: number }
  /** Checked against fresh inputs before publishing; false means the job is stale (event moved). */
  stillDue?: (inputs: StateInputs) => boolean
}

export type RecomputeOutcome =
  | { status: 'published'; record: RevisionRecord }
  | { status: 'unchanged' }
  | { status: 'stale' }
  | { status: 'duplicate-instant' }

/** Thrown when other schedulers kept publishing first for every attempt. */
export class RecomputeContention extends Error {
  override name = 'RecomputeContention'
}

const MAX_ATTEMPTS = 20

/** Groups whose enforcement is still ahead or under way; an ended group never comes back. */
function current(groups: EnforcementGroup[], now: number): EnforcementGroup[] {
  return groups.filter((group) => group.until > now)
}

/**
 * Recomputes the enforcement groups from Redis and publishes the difference from the current
 * snapshot as the next revision. When another scheduler publishes in between, the compare-and-set
 * refuses ours and we start again from the new snapshot, so each change is published once.
 */
export async function recompute(
  db: Db,
  request: RecomputeRequest,
  settings: RecomputeSettings,
): Promise<RecomputeOutcome> {
  const clock = settings.clock ?? Date.now
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = Math.max(clock(), request.at ?? 0)
    const [snapshot, inputs] = await Promise.all([
      readSnapshot(db),
      loadStateInputs(db, now, { graceMs: settings.graceMs }),
    ])
    if (request.stillDue && !request.stillDue(inputs)) return { status: 'stale' }
    const groups = current(computeGroups(inputs, settings.horizonMs), now)
    const ops = diffGroups(snapshot.groups, groups)
    if (ops.length === 0 && !request.publishEmpty) return { status: 'unchanged' }
    const result = await publishRevision(
      db,
      {
        previous: snapshot.revision,
        issuedAt: clock(),
        cause: request.cause,
        ops,
        groups,
        live: liveWindows(inputs),
        enforcedCount: activeAt(groups, now).length,
        ...(request.instant ? { instant: request.instant } : {}),
      },
      { maxLength: settings.revisionHistory },
    )
    const outcome = settle(result)
    if (outcome) return outcome
  }
  throw new RecomputeContention(`no revision published after ${MAX_ATTEMPTS} attempts: ${request.cause.kind}`)
}

function settle(result: PublishResult): RecomputeOutcome | null {
  if (result.status === 'published') return { status: 'published', record: result.record }
  if (result.status === 'duplicate-instant') return { status: 'duplicate-instant' }
  return null
}

/**
 * Drops the groups whose `until` has passed, and nothing else: on start-up the scheduler closes
 * what should already be closed before it opens anything (agents have dropped them by their own
 * clocks already; this makes the snapshot say so).
 */
export async function closeExpired(db: Db, settings: RecomputeSettings): Promise<RecomputeOutcome> {
  const clock = settings.clock ?? Date.now
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = clock()
    const snapshot = await readSnapshot(db)
    const kept = current(snapshot.groups, now)
    if (kept.length === snapshot.groups.length) return { status: 'unchanged' }
    const keptIds = new Set(kept.map((group) => group.id))
    const ops: GroupOp[] = snapshot.groups
      .filter((group) => !keptIds.has(group.id))
      .map((group) => ({ op: 'drop', id: group.id }))
    const result = await publishRevision(
      db,
      {
        previous: snapshot.revision,
        issuedAt: now,
        cause: { kind: 'catch-up', requestedAt: now, reason: 'expired-groups' },
        ops,
        groups: kept,
        live: snapshot.live.filter((window) => window.closesAt > now),
        enforcedCount: activeAt(kept, now).length,
      },
      { maxLength: settings.revisionHistory },
    )
    const outcome = settle(result)
    if (outcome) return outcome
  }
  throw new RecomputeContention(`no catch-up revision published after ${MAX_ATTEMPTS} attempts`)
}
