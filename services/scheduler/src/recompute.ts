import { performance } from 'node:perf_hooks'
import {
  changedPrefixes,
  closeEnded,
  computeGroups,
  currentGroups,
  diffGroupsQuickly,
  type EnforcementGroup,
  enforcedCount,
  type GroupOp,
  liveWindows,
  moveBounds,
  rememberingPatches,
} from '@offside/core'
import {
  compactSnapshot,
  type Db,
  listCompetitions,
  listEvents,
  loadStateInputs,
  type PublishResult,
  publishRevision,
  type RevisionCause,
  type RevisionRecord,
} from '@offside/store'
import { type BreakerConfig, holdEnlargement } from './breaker.js'
import { RecomputeCache } from './recompute-cache.js'
import type { Calendar } from './timeline.js'

/** How the scheduler computes revisions. */
export interface RecomputeSettings {
  horizonMs: number
  graceMs: number
  revisionHistory: number
  /** The clock; tests keep the real one, a benchmark may pin it. */
  clock?: () => number
  /** Circuit-breaker limits; core's defaults when absent. */
  breaker?: BreakerConfig
  /** Told how long each step of a recompute took (the scheduler's step histogram, benchmarks). */
  onStep?: (step: RecomputeStep, ms: number) => void
}

/** The steps of one recompute attempt, timed separately to show where a change's time goes. */
export type RecomputeStep = 'load' | 'compute' | 'breaker' | 'diff' | 'publish'

/** Times each step of one attempt with the monotonic clock (never the pinned `clock`). */
function stepTimer(onStep: RecomputeSettings['onStep']) {
  let last = performance.now()
  return (step: RecomputeStep) => {
    const at = performance.now()
    onStep?.(step, at - last)
    last = at
  }
}

/** One request for a revision. */
export interface RecomputeRequest {
  cause: RevisionCause
  /** The instant the state is computed for; defaults to the clock. A timed job passes its instant. */
  at?: number
  /** Publish even when nothing changes (window open/close: every agent acknowledges it). */
  publishEmpty?: boolean
  /** A calendar instant published at most once, e.g. `window-open.m1.1796000000000`. */
  instant?: { key: string; at: number }
  /** Checked against fresh inputs before publishing; false means the job is stale (event moved). */
  stillDue?: (calendar: Calendar) => boolean
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

/**
 * One cache per store handle, i.e. per scheduler process (tests and benchmarks make their own
 * handles): it keeps what the last recompute read and computed, checked against Redis each time.
 */
const caches = new WeakMap<Db, RecomputeCache>()

function cacheOf(db: Db): RecomputeCache {
  let cache = caches.get(db)
  if (!cache) {
    cache = new RecomputeCache()
    caches.set(db, cache)
  }
  return cache
}

function liveAt(calendar: Calendar) {
  return liveWindows({ ...calendar, orders: [], lists: [], revocations: [] })
}

/**
 * Publishes `ops` on top of `snapshot` as the next revision, for both the full recompute and the
 * calendar instant; nothing when there are no ops and the request does not ask for an empty one.
 * Null is a compare-and-set conflict: another scheduler published first.
 */
async function publishChange(
  db: Db,
  snapshot: { revision: number; groupsAt?: number },
  request: RecomputeRequest,
  context: { settings: RecomputeSettings; clock: () => number; cache: RecomputeCache },
  change: { ops: GroupOp[]; groups: EnforcementGroup[]; live: ReturnType<typeof liveWindows>; now: number },
): Promise<RecomputeOutcome | null> {
  const { ops, groups, live, now } = change
  if (ops.length === 0 && !request.publishEmpty) return { status: 'unchanged' }
  const result = await publishRevision(
    db,
    {
      previous: snapshot.revision,
      issuedAt: context.clock(),
      cause: request.cause,
      ops,
      groups,
      live,
      enforcedCount: enforcedCount(groups, now),
      ...(request.instant ? { instant: request.instant } : {}),
      ...(snapshot.groupsAt !== undefined ? { groupsAt: snapshot.groupsAt } : {}),
    },
    { maxLength: context.settings.revisionHistory },
  )
  return settle(result, context.cache)
}

function settle(result: PublishResult, cache: RecomputeCache): RecomputeOutcome | null {
  if (result.status === 'published') {
    cache.remember(result.snapshot)
    return { status: 'published', record: result.record }
  }
  if (result.status === 'duplicate-instant') return { status: 'duplicate-instant' }
  return null
}

/**
 * Retries `attempt` until it settles (null is a compare-and-set conflict): a conflict means another scheduler published
 * first, so the next attempt starts from the newer snapshot and each change is published once.
 */
async function untilSettled(
  cause: RevisionCause,
  attempt: () => Promise<RecomputeOutcome | null>,
): Promise<RecomputeOutcome> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const outcome = await attempt()
    if (outcome) return outcome
  }
  throw new RecomputeContention(`no revision published after ${MAX_ATTEMPTS} attempts: ${cause.kind}`)
}

/**
 * Runs `attempt` until it settles, each time at the request's instant (the clock, or `at` when
 * later) and with this process's cache.
 */
function eachAttempt(
  db: Db,
  request: RecomputeRequest,
  settings: RecomputeSettings,
  attempt: (now: number, clock: () => number, cache: RecomputeCache) => Promise<RecomputeOutcome | null>,
): Promise<RecomputeOutcome> {
  const clock = settings.clock ?? Date.now
  const cache = cacheOf(db)
  return untilSettled(request.cause, () => attempt(Math.max(clock(), request.at ?? 0), clock, cache))
}

/**
 * Recomputes the enforcement groups from Redis (calendar, orders, lists, revocations) and
 * publishes the difference from the current snapshot as the next revision. Used for API triggers,
 * start-up and the periodic tick.
 */
export function recompute(
  db: Db,
  request: RecomputeRequest,
  settings: RecomputeSettings,
): Promise<RecomputeOutcome> {
  return eachAttempt(db, request, settings, async (now, clock, cache) => {
    const step = stepTimer(settings.onStep)
    const [snapshot, inputs] = await Promise.all([
      cache.snapshot(db),
      loadStateInputs(db, now, { graceMs: settings.graceMs, cache: cache.lists }),
    ])
    step('load')
    if (request.stillDue && !request.stillDue(inputs)) return { status: 'stale' }
    cache.covers.startRound()
    const computed = currentGroups(computeGroups(inputs, settings.horizonMs, cache.covers.cover), now)
    cache.covers.endRound()
    step('compute')
    // The breaker and the diff compare the same covers: each pair is compared once.
    const known = rememberingPatches((a, b) => cache.covers.patch(a, b))
    // SPEC rule 6: growth past the breaker is held for ops; what stays inside the current space goes out.
    const groups = await holdEnlargement(
      db,
      {
        previous: snapshot.groups,
        next: computed,
        cause: request.cause,
        now,
        known,
        bounds: cache.bounds,
      },
      settings.breaker,
    )
    step('breaker')
    const ops = diffGroupsQuickly(snapshot.groups, groups, known)
    step('diff')
    const outcome = await publishChange(
      db,
      snapshot,
      request,
      { settings, clock, cache },
      { ops, groups, live: liveWindows(inputs), now },
    )
    // Timed only when it wrote (as the step histogram always counted it).
    if (outcome?.status !== 'unchanged') step('publish')
    return outcome
  })
}

/** The breaker's bounds of `previous`, moved over what `next` dropped, kept for `next`. */
function carryBounds(cache: RecomputeCache, previous: EnforcementGroup[], next: EnforcementGroup[]): void {
  const before = cache.bounds.get(previous)
  if (!before || previous === next) return
  cache.bounds.set(next, moveBounds(before, [], changedPrefixes(previous, next).removed))
}

/**
 * Publishes the revision of a calendar instant from the snapshot alone: the groups were staged
 * ahead, so opening a window changes nothing and closing one drops the groups whose `until` has
 * passed. Only the calendar is read (to check the window still matches and to list the live
 * windows), never the lists, so the revision goes out within milliseconds of the instant whatever
 * the size of the lists. Any change of the lists, orders or revocations has its own trigger, and
 * the periodic tick recomputes everything as a safety net.
 */
export function publishInstant(
  db: Db,
  request: RecomputeRequest,
  settings: RecomputeSettings,
): Promise<RecomputeOutcome> {
  return eachAttempt(db, request, settings, async (now, clock, cache) => {
    const [snapshot, competitions, events] = await Promise.all([
      cache.snapshot(db),
      listCompetitions(db),
      listEvents(db),
    ])
    const calendar: Calendar = { now, graceMs: settings.graceMs, competitions, events }
    if (request.stillDue && !request.stillDue(calendar)) return { status: 'stale' }
    const { groups, ops } = closeEnded(snapshot.groups, now)
    // The breaker's bounds are kept by groups array: an opening publishes the same array
    // (closeEnded keeps it when nothing ended), a closing carries them over its drops, so the
    // next change is not cleared from scratch (an exact bound of 300k prefixes costs seconds).
    carryBounds(cache, snapshot.groups, groups)
    return publishChange(
      db,
      snapshot,
      request,
      { settings, clock, cache },
      { ops, groups, live: liveAt(calendar), now },
    )
  })
}

/**
 * Stores the groups of the last revision this process published in full (the store's
 * `compactSnapshot`), so that readers of the snapshot replay no revisions. Revisions are
 * published without rewriting megabytes of groups; this runs when the scheduler is idle.
 * Returns how many revisions the stored groups lagged behind (0: nothing to do).
 */
export async function compactPublished(db: Db): Promise<number> {
  const snapshot = cacheOf(db).held
  if (!snapshot) return 0
  const lag = snapshot.revision - (snapshot.groupsAt ?? snapshot.revision)
  if (lag <= 0) return 0
  await compactSnapshot(db, snapshot)
  return lag
}

/** How many revisions the stored groups lag behind the last revision this process published. */
export function snapshotLag(db: Db): number {
  const snapshot = cacheOf(db).held
  return snapshot ? snapshot.revision - (snapshot.groupsAt ?? snapshot.revision) : 0
}

/**
 * Drops the groups whose `until` has passed, and nothing else: on start-up the scheduler closes
 * what should already be closed before it opens anything (agents have dropped them by their own
 * clocks already; this makes the snapshot say so).
 */
export function closeExpired(db: Db, settings: RecomputeSettings): Promise<RecomputeOutcome> {
  const now = (settings.clock ?? Date.now)()
  return publishInstant(
    db,
    { cause: { kind: 'catch-up', requestedAt: now, reason: 'expired-groups' } },
    settings,
  )
}
