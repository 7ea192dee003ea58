import { createHash } from 'node:crypto'
import type { AnnouncingAs, GuardReason, ProtectedRange, ProtectedSuffix } from '@offside/core'
import { type AuditInput, nextAuditRecord, queueAudit } from './audit.js'
import type { Db } from './keys.js'
import type { ListExtra } from './lists.js'
import { watchedChange } from './optimistic.js'
import { getStateDocument, putStateDocument } from './records.js'

export type HeldStatus = 'pending' | 'approved' | 'rejected'

/** An entry the guard held for review, with the reasons, waiting for ops. */
export interface HeldEntry {
  id: string
  rightsholder: string
  week: string
  target: string
  reasons: GuardReason[]
  source: 'upload' | 'hot-addition' | 'protected-range' | 'protected-suffix' | 'shared-infrastructure'
  heldAt: number
  status: HeldStatus
  note?: string
  evidence?: string
  criterion?: string
  /** Autonomous systems announcing the target when it was held (the offline IP-to-ASN database). */
  announcedBy?: AnnouncingAs[]
  decidedAt?: number
  decidedBy?: string
  decisionReason?: string
}

/** Per rightsholder: how many of its entries were held, rejected, or revoked after complaints (SPEC rule 12). */
export interface ReporterCounters {
  held: number
  rejected: number
  revoked: number
}

/** A held entry's id is derived from its list and target, so holding it again is idempotent. */
export function heldId(rightsholder: string, week: string, target: string): string {
  return `h_${createHash('sha256').update(`${rightsholder}|${week}|${target}`).digest('hex').slice(0, 20)}`
}

export async function getHeld(db: Db, id: string): Promise<HeldEntry | null> {
  const raw = await db.redis.hget(db.keys.held, id)
  return raw ? (JSON.parse(raw) as HeldEntry) : null
}

/** Held entries waiting for review, oldest first; optionally only one rightsholder's. */
export async function listPendingHeld(
  db: Db,
  options: { rightsholder?: string; limit?: number; offset?: number } = {},
): Promise<{ total: number; entries: HeldEntry[] }> {
  const ids = await db.redis.zrange(db.keys.heldPending, 0, -1)
  if (ids.length === 0) return { total: 0, entries: [] }
  const all = (await db.redis.hmget(db.keys.held, ...ids))
    .flatMap((raw) => (raw ? [JSON.parse(raw) as HeldEntry] : []))
    .filter((entry) => options.rightsholder === undefined || entry.rightsholder === options.rightsholder)
  const offset = options.offset ?? 0
  return { total: all.length, entries: all.slice(offset, offset + (options.limit ?? 1000)) }
}

/** How a decision on a held entry ended. */
export type HeldDecision =
  | { status: 'decided'; entry: HeldEntry }
  /** No such entry, or an upload replaced its list (and with it the entry) before the decision. */
  | { status: 'missing' }
  /** Someone decided it first. */
  | { status: 'already-decided'; entry: HeldEntry }

/**
 * Records ops' decision on a held entry. Approving adds it to its list (as an approved extra, which
 * later protected-range changes leave alone: a person looked at it); rejecting leaves it out.
 * With `audit`, the record is appended in the same transaction. The entry is read and written under
 * WATCH (of the held entries and of its list's held set, on a connection of our own): a decision
 * racing an upload either lands before it (and the upload replaces the list) or finds the entry
 * gone — it never re-creates a replaced entry or approves it into the new list.
 */
export async function decideHeld(
  db: Db,
  id: string,
  decision: {
    approve: boolean
    by: string
    reason?: string
    now: number
    audit?: (entry: HeldEntry) => AuditInput
  },
): Promise<HeldDecision> {
  const first = await getHeld(db, id)
  if (!first) return { status: 'missing' }
  const heldOfList = db.keys.heldOfList(first.rightsholder, first.week)
  const watched = [db.keys.held, heldOfList, ...(decision.audit ? [db.keys.auditHead] : [])]
  return watchedChange<HeldDecision>(db, watched, `held entry ${id}`, async (redis) => {
    const raw = await redis.hget(db.keys.held, id)
    const entry = raw ? (JSON.parse(raw) as HeldEntry) : null
    if (!entry || !(await redis.sismember(heldOfList, id))) return { result: { status: 'missing' } }
    if (entry.status !== 'pending') return { result: { status: 'already-decided', entry } }
    const decided: HeldEntry = {
      ...entry,
      status: decision.approve ? 'approved' : 'rejected',
      decidedAt: decision.now,
      decidedBy: decision.by,
      ...(decision.reason ? { decisionReason: decision.reason } : {}),
    }
    const record = decision.audit
      ? nextAuditRecord(await redis.get(db.keys.auditHead), decision.audit(entry))
      : null
    const tx = redis.multi().hset(db.keys.held, id, JSON.stringify(decided)).zrem(db.keys.heldPending, id)
    if (decision.approve) {
      const extra: ListExtra = {
        target: entry.target,
        source: 'approved',
        at: decision.now,
        by: decision.by,
        ...(entry.note ? { note: entry.note } : {}),
        ...(entry.evidence ? { evidence: entry.evidence } : {}),
        ...(entry.criterion ? { criterion: entry.criterion } : {}),
      }
      tx.hset(db.keys.listExtra(entry.rightsholder, entry.week), entry.target, JSON.stringify(extra))
      tx.incr(db.keys.stateGeneration)
    } else {
      tx.hincrby(db.keys.reporter(entry.rightsholder), 'rejected', 1)
    }
    if (record) queueAudit(tx, db, record)
    return { tx, result: { status: 'decided', entry: decided } }
  })
}

/** The operator's protected ranges, or null when the defaults apply. */
export function getProtectedRanges(db: Db): Promise<ProtectedRange[] | null> {
  return getStateDocument<ProtectedRange[]>(db, db.keys.protectedRanges)
}

export function putProtectedRanges(db: Db, ranges: ProtectedRange[]): Promise<void> {
  return putStateDocument(db, db.keys.protectedRanges, ranges)
}

/** The operator's protected suffixes, or null when the defaults apply. */
export function getProtectedSuffixes(db: Db): Promise<ProtectedSuffix[] | null> {
  return getStateDocument<ProtectedSuffix[]>(db, db.keys.protectedSuffixes)
}

export function putProtectedSuffixes(db: Db, suffixes: ProtectedSuffix[]): Promise<void> {
  return putStateDocument(db, db.keys.protectedSuffixes, suffixes)
}

/** Files entries held after the fact (a protected range now covers them); existing held ids are kept. */
export async function holdRetroactively(
  db: Db,
  entries: HeldEntry[],
  options: { withdraw?: boolean } = {},
): Promise<HeldEntry[]> {
  if (entries.length === 0) return []
  if (options.withdraw) {
    // Withdrawn even when already pending: the state loader leaves these targets out (an entry ops
    // approve comes back as its list's approved extra), and readers of the inputs see the change.
    await db.redis
      .multi()
      .sadd(db.keys.withdrawn, ...entries.map((entry) => entry.target))
      .incr(db.keys.stateGeneration)
      .exec()
  }
  const existing = await db.redis.hmget(db.keys.held, ...entries.map((entry) => entry.id))
  const fresh = entries.filter((_, index) => {
    const raw = existing[index]
    return !raw || (JSON.parse(raw) as HeldEntry).status !== 'pending'
  })
  if (fresh.length === 0) return []
  const tx = db.redis.multi()
  const fields = fresh.flatMap((entry) => [entry.id, JSON.stringify(entry)])
  tx.hset(db.keys.held, ...fields)
  tx.zadd(db.keys.heldPending, ...fresh.flatMap((entry) => [entry.heldAt, entry.id]))
  for (const entry of fresh) {
    tx.sadd(db.keys.heldOfList(entry.rightsholder, entry.week), entry.id)
    tx.hincrby(db.keys.reporter(entry.rightsholder), 'held', 1)
  }
  await tx.exec()
  return fresh
}

export async function getReporterCounters(db: Db, rightsholder: string): Promise<ReporterCounters> {
  const raw = await db.redis.hgetall(db.keys.reporter(rightsholder))
  return {
    held: Number(raw.held ?? 0),
    rejected: Number(raw.rejected ?? 0),
    revoked: Number(raw.revoked ?? 0),
  }
}
