import { type AuditInput, type AuditRecord, nextAuditRecord, queueAudit } from './audit.js'
import type { HeldEntry } from './guard.js'
import type { Db } from './keys.js'
import { watchedChange } from './optimistic.js'

/** One stored list entry: the target in canonical CIDR form and what the reporter said about it. */
export interface ListEntry {
  target: string
  note?: string
  evidence?: string
  criterion?: string
}

/** The summary kept in a list's pointer hash and returned to callers. */
export interface ListSummary {
  rightsholder: string
  week: string
  version: string
  uploadedAt: number
  uploadedBy: string
  entries: number
  accepted: number
  held: number
  rejected: number
  hotAdditions: number
  evidence?: string
  criterion?: string
}

/** A hot addition or an ops-approved entry, kept beside the uploaded version. */
export interface ListExtra extends ListEntry {
  source: 'hot-addition' | 'approved'
  at: number
  by: string
}

/** The immutable blob of one uploaded version. */
export interface ListVersion {
  summary: ListSummary
  accepted: ListEntry[]
  /** Per-entry verdicts for held and rejected entries, replayed on an idempotent re-upload. */
  verdicts: unknown
}

function summaryFromHash(hash: Record<string, string>): ListSummary | null {
  return hash.summary ? (JSON.parse(hash.summary) as ListSummary) : null
}

/** The current version of one weekly list, or null when none was uploaded. */
export async function getListSummary(
  db: Db,
  rightsholder: string,
  week: string,
): Promise<ListSummary | null> {
  return summaryFromHash(await db.redis.hgetall(db.keys.list(rightsholder, week)))
}

/** Reads one stored version (the verdicts of an earlier identical upload). */
export async function getListVersion(
  db: Db,
  rightsholder: string,
  week: string,
  version: string,
): Promise<ListVersion | null> {
  const raw = await db.redis.get(db.keys.listVersion(rightsholder, week, version))
  return raw ? (JSON.parse(raw) as ListVersion) : null
}

/** Every list (rightsholder, week) ever uploaded. */
export async function listWeeklyLists(
  db: Db,
  rightsholder?: string,
): Promise<{ rightsholder: string; week: string }[]> {
  return (await db.redis.smembers(db.keys.listIndex))
    .map((member) => {
      const [owner = '', week = ''] = member.split('|')
      return { rightsholder: owner, week }
    })
    .filter((list) => rightsholder === undefined || list.rightsholder === rightsholder)
    .sort((a, b) => a.rightsholder.localeCompare(b.rightsholder) || a.week.localeCompare(b.week))
}

/** How long a replaced version stays readable, so a reader that saw the old pointer can finish. */
const OLD_VERSION_TTL_SECONDS = 3600

/**
 * Stores a whole weekly list as a new immutable version and swaps the list's pointer to it in one
 * transaction: readers see either the old list or the new one, never a mix. The version blob is
 * written first under its content hash (nobody points at it yet); the swap then replaces the
 * pointer, drops the old hot additions, approvals and pending held entries, files the new held
 * entries and bumps the reporter counters. A concurrent swap of the same list makes us retry.
 * With `audit`, its record is appended in the same transaction and returned.
 */
export async function swapWeeklyList(
  db: Db,
  input: { version: ListVersion; held: HeldEntry[]; audit?: AuditInput },
): Promise<AuditRecord | null> {
  const { summary } = input.version
  const { rightsholder, week, version } = summary
  const pointerKey = db.keys.list(rightsholder, week)
  const heldOfList = db.keys.heldOfList(rightsholder, week)
  await db.redis
    .pipeline()
    .set(db.keys.listVersion(rightsholder, week, version), JSON.stringify(input.version))
    .set(
      db.keys.listPrefixes(rightsholder, week, version),
      input.version.accepted.map((e) => e.target).join('\n'),
    )
    .exec()
  // The audit head is watched too: the upload and its record commit together (SPEC rule 9), so
  // a crash can never leave a list swapped without its record.
  const watched = [pointerKey, heldOfList, ...(input.audit ? [db.keys.auditHead] : [])]
  return watchedChange(db, watched, `weekly list ${rightsholder}/${week}`, async (redis) => {
    const previous = await redis.hget(pointerKey, 'version')
    const oldHeld = await redis.smembers(heldOfList)
    const record = input.audit ? nextAuditRecord(await redis.get(db.keys.auditHead), input.audit) : null
    const tx = redis.multi()
    tx.del(pointerKey)
    tx.hset(pointerKey, 'version', version, 'summary', JSON.stringify(summary))
    tx.del(db.keys.listExtra(rightsholder, week))
    if (oldHeld.length > 0) {
      tx.hdel(db.keys.held, ...oldHeld)
      tx.zrem(db.keys.heldPending, ...oldHeld)
    }
    tx.del(heldOfList)
    fileHeld(tx, db, input.held)
    if (summary.held > 0) tx.hincrby(db.keys.reporter(rightsholder), 'held', summary.held)
    if (summary.rejected > 0) tx.hincrby(db.keys.reporter(rightsholder), 'rejected', summary.rejected)
    tx.sadd(db.keys.listIndex, `${rightsholder}|${week}`)
    tx.incr(db.keys.stateGeneration)
    if (previous && previous !== version) {
      tx.expire(db.keys.listVersion(rightsholder, week, previous), OLD_VERSION_TTL_SECONDS)
      tx.expire(db.keys.listPrefixes(rightsholder, week, previous), OLD_VERSION_TTL_SECONDS)
    }
    if (record) queueAudit(tx, db, record)
    return { tx, result: record }
  })
}

type Tx = ReturnType<Db['redis']['multi']>

/** Adds held entries to the review queue inside a transaction. */
export function fileHeld(tx: Tx, db: Db, held: HeldEntry[]): void {
  if (held.length === 0) return
  const fields: string[] = []
  const scores: (string | number)[] = []
  const byList = new Map<string, string[]>()
  for (const entry of held) {
    fields.push(entry.id, JSON.stringify(entry))
    scores.push(entry.heldAt, entry.id)
    const key = db.keys.heldOfList(entry.rightsholder, entry.week)
    byList.set(key, [...(byList.get(key) ?? []), entry.id])
  }
  tx.hset(db.keys.held, ...fields)
  tx.zadd(db.keys.heldPending, ...scores)
  for (const [key, ids] of byList) tx.sadd(key, ...ids)
}

/**
 * Adds hot additions to the current list of a week (creating an empty list when there is none),
 * files the held ones and, with `audit`, appends its record — all in one transaction. The list's
 * pointer is watched on a connection of our own, so an upload that swaps the version in between
 * makes us read again: a hot addition never writes back a version the upload replaced (whose keys
 * expire an hour later), and never lands in the extras of a list it was not judged against.
 */
export async function addHotEntries(
  db: Db,
  input: {
    rightsholder: string
    week: string
    accepted: ListExtra[]
    held: HeldEntry[]
    rejected: number
    now: number
    by: string
    audit?: AuditInput
  },
): Promise<ListSummary> {
  const { rightsholder, week } = input
  const pointerKey = db.keys.list(rightsholder, week)
  const extraKey = db.keys.listExtra(rightsholder, week)
  const watched = [pointerKey, extraKey, ...(input.audit ? [db.keys.auditHead] : [])]
  return watchedChange(db, watched, `weekly list ${rightsholder}/${week}`, async (redis) => {
    const current = summaryFromHash(await redis.hgetall(pointerKey))
    const summary: ListSummary = current ?? {
      rightsholder,
      week,
      version: '',
      uploadedAt: input.now,
      uploadedBy: input.by,
      entries: 0,
      accepted: 0,
      held: 0,
      rejected: 0,
      hotAdditions: 0,
    }
    const existing = new Set(
      input.accepted.length > 0
        ? (await redis.hmget(extraKey, ...input.accepted.map((e) => e.target))).map((raw, index) =>
            raw ? input.accepted[index]?.target : undefined,
          )
        : [],
    )
    const fresh = input.accepted.filter((entry) => !existing.has(entry.target))
    const updated: ListSummary = {
      ...summary,
      hotAdditions: summary.hotAdditions + fresh.length,
      held: summary.held + input.held.length,
      rejected: summary.rejected + input.rejected,
    }
    const record = input.audit ? nextAuditRecord(await redis.get(db.keys.auditHead), input.audit) : null
    const tx = redis.multi()
    tx.hset(pointerKey, 'version', updated.version, 'summary', JSON.stringify(updated))
    if (fresh.length > 0) {
      tx.hset(extraKey, ...fresh.flatMap((entry) => [entry.target, JSON.stringify(entry)]))
    }
    fileHeld(tx, db, input.held)
    if (input.held.length > 0) tx.hincrby(db.keys.reporter(rightsholder), 'held', input.held.length)
    if (input.rejected > 0) tx.hincrby(db.keys.reporter(rightsholder), 'rejected', input.rejected)
    tx.sadd(db.keys.listIndex, `${rightsholder}|${week}`)
    tx.incr(db.keys.stateGeneration)
    if (record) queueAudit(tx, db, record)
    return { tx, result: updated }
  })
}

/** The entries a list currently holds: the uploaded accepted ones plus hot additions and approvals. */
export async function readListEntries(
  db: Db,
  rightsholder: string,
  week: string,
): Promise<{ summary: ListSummary; uploaded: string[]; extras: ListExtra[] } | null> {
  const summary = await getListSummary(db, rightsholder, week)
  if (!summary) return null
  const [uploaded, extras] = await Promise.all([
    summary.version ? db.redis.get(db.keys.listPrefixes(rightsholder, week, summary.version)) : null,
    db.redis.hvals(db.keys.listExtra(rightsholder, week)),
  ])
  return {
    summary,
    uploaded: uploaded ? uploaded.split('\n') : [],
    extras: extras.map((raw) => JSON.parse(raw) as ListExtra),
  }
}
