/**
 * The notification outbox (SPEC rule 15): parties and their channels, and one record per notice
 * to one party with every delivery attempt, the receipt once delivered, or its dead letter.
 */
import { randomBytes } from 'node:crypto'
import type { NoticeKind, Party } from '@offside/core'
import type { Db } from './keys.js'

export type NoticeStatus = 'pending' | 'delivered' | 'dead'

export interface DeliveryAttempt {
  at: number
  ok: boolean
  /** What the other side said: the SMTP reply, the HTTP status, or the error. */
  detail: string
}

export interface Notice {
  id: string
  kind: NoticeKind
  /** The order a notice is about; a weekly hosting notice names `week` and `asn` instead. */
  order?: string
  week?: string
  asn?: number
  /** The party itself, for a contact that is not in the party table (the operator's contacts file). */
  contact?: Party
  party: string
  subject: string
  text: string
  createdAt: number
  status: NoticeStatus
  attempts: DeliveryAttempt[]
  /** The delivery receipt: SMTP message id and reply, or the webhook's status and body digest. */
  receipt?: { at: number; channel: 'email' | 'webhook'; id?: string; response: string }
}

export async function putParty(db: Db, party: Party): Promise<boolean> {
  return (await db.redis.hset(db.keys.parties, party.id, JSON.stringify(party))) === 1
}

export async function getParty(db: Db, id: string): Promise<Party | null> {
  const raw = await db.redis.hget(db.keys.parties, id)
  return raw ? (JSON.parse(raw) as Party) : null
}

export async function listParties(db: Db): Promise<Party[]> {
  return (await db.redis.hvals(db.keys.parties))
    .map((raw) => JSON.parse(raw) as Party)
    .sort((a, b) => a.id.localeCompare(b.id))
}

/** Files new pending notices (one MULTI) and returns them. */
export type NoticeDraft = Omit<Notice, 'id' | 'status' | 'attempts'>

const newNoticeId = () => `n_${randomBytes(9).toString('base64url')}`

export async function fileNotices(db: Db, drafts: NoticeDraft[]): Promise<Notice[]> {
  const notices = drafts.map((draft) => ({
    ...draft,
    id: newNoticeId(),
    status: 'pending' as const,
    attempts: [],
  }))
  if (notices.length === 0) return []
  const tx = db.redis.multi()
  for (const notice of notices) tx.hset(db.keys.notices, notice.id, JSON.stringify(notice))
  await tx.exec()
  return notices
}

/**
 * Files the weekly hosting notice of one autonomous system for one week, once: the (week, asn)
 * claim is taken first (HSETNX) with the notice's id, so two builders racing file one notice, and
 * a builder that died between claim and notice re-files it under the claimed id on its next run.
 * Returns the notice and whether this call filed it (false: it was filed before).
 */
export async function fileHostingNotice(
  db: Db,
  draft: NoticeDraft & { week: string; asn: number },
): Promise<{ notice: Notice; filed: boolean }> {
  const field = `${draft.week}:${draft.asn}`
  const id = newNoticeId()
  const claimed = (await db.redis.hsetnx(db.keys.hostingNotices, field, id)) === 1
  const noticeId = claimed ? id : ((await db.redis.hget(db.keys.hostingNotices, field)) ?? id)
  const existing = await getNotice(db, noticeId)
  if (existing) return { notice: existing, filed: false }
  const notice: Notice = { ...draft, id: noticeId, status: 'pending', attempts: [] }
  await db.redis.hset(db.keys.notices, noticeId, JSON.stringify(notice))
  return { notice, filed: true }
}

export async function getNotice(db: Db, id: string): Promise<Notice | null> {
  const raw = await db.redis.hget(db.keys.notices, id)
  return raw ? (JSON.parse(raw) as Notice) : null
}

export async function listNotices(
  db: Db,
  filter: { status?: NoticeStatus; order?: string } = {},
): Promise<Notice[]> {
  return (await db.redis.hvals(db.keys.notices))
    .map((raw) => JSON.parse(raw) as Notice)
    .filter(
      (n) =>
        (filter.status === undefined || n.status === filter.status) &&
        (filter.order === undefined || n.order === filter.order),
    )
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
}

/**
 * Records one attempt; `outcome` delivered (with the receipt) or dead (the last attempt failed)
 * settles the notice. Only the notifier writes a notice after it is filed, one job at a time.
 */
export async function recordAttempt(
  db: Db,
  id: string,
  attempt: DeliveryAttempt,
  outcome: { status: 'pending' | 'dead' } | { status: 'delivered'; receipt: NonNullable<Notice['receipt']> },
): Promise<Notice | null> {
  const notice = await getNotice(db, id)
  if (!notice) return null
  const updated: Notice = {
    ...notice,
    attempts: [...notice.attempts, attempt],
    status: outcome.status,
    ...(outcome.status === 'delivered' ? { receipt: outcome.receipt } : {}),
  }
  await db.redis.hset(db.keys.notices, id, JSON.stringify(updated))
  return updated
}
