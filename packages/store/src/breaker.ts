/**
 * Circuit-breaker holds (SPEC rule 6): a revision that would enlarge the enforced address space too
 * much is held as a whole until ops approve it. The scheduler files the hold and keeps folding later
 * recomputes into it; ops approve or reject it through the API.
 *
 * - `breaker:holds` (HASH): id → {@link BreakerHold}, every status, for review and history.
 * - `breaker:proposals` (HASH): id → {@link BreakerProposal}, the groups held and what they add
 *   (megabytes for a large list, so apart from the hold itself).
 * - `breaker:pending` (STRING): the id of the one pending hold. Every write watches it and the holds
 *   ({@link watchedChange}), so a scheduler folding a recompute and ops deciding never overwrite each
 *   other: the later one reads again and folds into, or finds decided, what the first one wrote.
 * - `breaker:decided` (ZSET): approved and rejected holds scored by `lapsesAt`, the end of the last
 *   window they held; until then the scheduler honours the decision.
 */
import { randomBytes } from 'node:crypto'
import type { EnforcementGroup, GuardReason } from '@offside/core'
import type { Db } from './keys.js'
import { watchedChange } from './optimistic.js'
import type { RevisionCause } from './queues.js'

export type BreakerStatus = 'pending' | 'approved' | 'rejected' | 'superseded'

/** The size of an enforced address space as the breaker measures it. */
export interface AddressSpace {
  v4Addresses: number
  /** IPv6 measured in /48s (end sites), as core's breaker does. */
  v6Prefixes48: number
}

/** A revision the breaker held, waiting for ops (or decided). */
export interface BreakerHold {
  id: string
  status: BreakerStatus
  createdAt: number
  /** When a recompute last folded into the hold. */
  updatedAt: number
  /** The change that first tripped the breaker. */
  cause: RevisionCause
  /** The latest change folded into the hold (equal to `cause` for a new hold). */
  latestCause: RevisionCause
  /** How many recomputes this hold stands for; a later one never gets lost, it lands here. */
  recomputes: number
  /** The address space agents hold now (published). */
  previous: AddressSpace
  /** The address space the held revision would give them. */
  next: AddressSpace
  /** next ÷ previous on the family that grew most (Infinity is stored as null: nothing before). */
  factor: number | null
  reason: GuardReason
  /** Prefixes the held revision adds to what agents hold. */
  added: number
  /** Names the held revision adds to what agents hold (absent: none). */
  addedNames?: number
  /** The end of the last held group: after it the decision no longer matters and lapses. */
  lapsesAt: number
  decidedAt?: number
  decidedBy?: string
  decisionReason?: string
}

/** What a hold holds: the proposed groups and the prefixes they add to the published ones. */
export interface BreakerProposal {
  groups: EnforcementGroup[]
  added: string[]
  /** The names they add to the published ones (absent: none). */
  addedNames?: string[]
}

/** What the scheduler knows when the breaker trips. */
export interface BreakerTrip {
  now: number
  cause: RevisionCause
  previous: AddressSpace
  next: AddressSpace
  factor: number | null
  reason: GuardReason
  proposal: BreakerProposal
}

function lapsesAt(groups: EnforcementGroup[], now: number): number {
  return groups.reduce((latest, group) => Math.max(latest, group.until), now)
}

export async function getBreakerHold(db: Db, id: string): Promise<BreakerHold | null> {
  const raw = await db.redis.hget(db.keys.breakerHolds, id)
  return raw ? (JSON.parse(raw) as BreakerHold) : null
}

export async function getBreakerProposal(db: Db, id: string): Promise<BreakerProposal | null> {
  const raw = await db.redis.hget(db.keys.breakerProposals, id)
  return raw ? (JSON.parse(raw) as BreakerProposal) : null
}

/** The pending hold, if any (there is at most one). */
export async function readPendingHold(db: Db): Promise<BreakerHold | null> {
  const id = await db.redis.get(db.keys.breakerPending)
  return id ? getBreakerHold(db, id) : null
}

/**
 * Breaker holds, newest first: the pending one by default (what ops must act on), or those of one
 * status, or all.
 */
export async function listBreakerHolds(
  db: Db,
  options: { status?: BreakerStatus | 'all'; limit?: number } = {},
): Promise<BreakerHold[]> {
  const status = options.status ?? 'pending'
  const all = Object.values(await db.redis.hgetall(db.keys.breakerHolds)).map(
    (raw) => JSON.parse(raw) as BreakerHold,
  )
  return all
    .filter((hold) => status === 'all' || hold.status === status)
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
    .slice(0, options.limit ?? 1000)
}

/**
 * Files a trip: a new pending hold, or, while one is pending, folds the trip into it (latest
 * proposal, sizes and cause; first cause and creation kept). Returns the hold as stored.
 */
export async function recordBreakerTrip(db: Db, trip: BreakerTrip): Promise<BreakerHold> {
  const { keys } = db
  const watched = [keys.breakerPending, keys.breakerHolds]
  return watchedChange(db, watched, 'the circuit-breaker hold', async (redis) => {
    const pendingId = await redis.get(keys.breakerPending)
    const raw = pendingId ? await redis.hget(keys.breakerHolds, pendingId) : null
    const pending = raw ? (JSON.parse(raw) as BreakerHold) : null
    const hold: BreakerHold = {
      id: pending?.id ?? `b_${trip.now.toString(36)}_${randomBytes(4).toString('hex')}`,
      status: 'pending',
      createdAt: pending?.createdAt ?? trip.now,
      updatedAt: trip.now,
      cause: pending?.cause ?? trip.cause,
      latestCause: trip.cause,
      recomputes: (pending?.recomputes ?? 0) + 1,
      previous: trip.previous,
      next: trip.next,
      factor: trip.factor,
      reason: trip.reason,
      added: trip.proposal.added.length,
      ...(trip.proposal.addedNames?.length ? { addedNames: trip.proposal.addedNames.length } : {}),
      lapsesAt: lapsesAt(trip.proposal.groups, trip.now),
    }
    const tx = redis
      .multi()
      .set(keys.breakerPending, hold.id)
      .hset(keys.breakerHolds, hold.id, JSON.stringify(hold))
      .hset(keys.breakerProposals, hold.id, JSON.stringify(trip.proposal))
    return { tx, result: hold }
  })
}

export type BreakerDecisionResult =
  | { status: 'decided'; hold: BreakerHold }
  | { status: 'not-found' }
  | { status: 'already-decided'; hold: BreakerHold }

async function settleHold(
  db: Db,
  id: string,
  decide: (hold: BreakerHold) => { hold: BreakerHold; remember: boolean },
  now: number,
): Promise<BreakerDecisionResult> {
  const { keys } = db
  const watched = [keys.breakerHolds, keys.breakerPending]
  return watchedChange<BreakerDecisionResult>(db, watched, `circuit-breaker hold ${id}`, async (redis) => {
    const raw = await redis.hget(keys.breakerHolds, id)
    if (!raw) return { result: { status: 'not-found' } }
    const hold = JSON.parse(raw) as BreakerHold
    if (hold.status !== 'pending') return { result: { status: 'already-decided', hold } }
    const next = decide(hold)
    const tx = redis.multi().hset(keys.breakerHolds, id, JSON.stringify(next.hold))
    if ((await redis.get(keys.breakerPending)) === id) tx.del(keys.breakerPending)
    if (next.remember) tx.zadd(keys.breakerDecided, next.hold.lapsesAt, id)
    // Decisions that lapsed before now no longer matter to any recompute.
    tx.zremrangebyscore(keys.breakerDecided, '-inf', `(${now}`)
    return { tx, result: { status: 'decided', hold: next.hold } }
  })
}

/**
 * Records ops' decision on a pending hold. Approving lets the scheduler publish the held growth at
 * its next recompute; rejecting keeps the prefixes it adds out of enforcement. Either is honoured
 * until the hold lapses (its last held window ends).
 */
export function decideBreakerHold(
  db: Db,
  id: string,
  decision: { approve: boolean; by: string; reason?: string; now: number },
): Promise<BreakerDecisionResult> {
  return settleHold(
    db,
    id,
    (hold) => ({
      hold: {
        ...hold,
        status: decision.approve ? 'approved' : 'rejected',
        decidedAt: decision.now,
        decidedBy: decision.by,
        ...(decision.reason ? { decisionReason: decision.reason } : {}),
      },
      remember: true,
    }),
    decision.now,
  )
}

/** Closes a pending hold whose growth went away (list corrected, window cancelled): nothing left to decide. */
export function supersedeBreakerHold(db: Db, id: string, now: number): Promise<BreakerDecisionResult> {
  return settleHold(
    db,
    id,
    (hold) => ({ hold: { ...hold, status: 'superseded', updatedAt: now }, remember: false }),
    now,
  )
}

/** A decided hold still in force, with the prefixes it approved or rejected. */
export interface BreakerDecision {
  hold: BreakerHold
  added: string[]
  addedNames: string[]
}

/** Approved and rejected holds that have not lapsed at `now`, oldest decision first. */
export async function loadBreakerDecisions(db: Db, now: number): Promise<BreakerDecision[]> {
  const ids = await db.redis.zrangebyscore(db.keys.breakerDecided, `(${now}`, '+inf')
  if (ids.length === 0) return []
  const [holds, proposals] = await Promise.all([
    db.redis.hmget(db.keys.breakerHolds, ...ids),
    db.redis.hmget(db.keys.breakerProposals, ...ids),
  ])
  const decisions: BreakerDecision[] = []
  ids.forEach((_, index) => {
    const hold = holds[index]
    const proposal = proposals[index]
    if (!hold || !proposal) return
    const parsed = JSON.parse(proposal) as BreakerProposal
    decisions.push({ hold: JSON.parse(hold), added: parsed.added, addedNames: parsed.addedNames ?? [] })
  })
  return decisions.sort((a, b) => (a.hold.decidedAt ?? 0) - (b.hold.decidedAt ?? 0))
}
