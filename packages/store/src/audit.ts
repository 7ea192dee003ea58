import { createHash } from 'node:crypto'
import { canonicalJson } from '@offside/protocol'
import type { Redis } from 'ioredis'
import type { Db } from './keys.js'
import { watchedChange } from './optimistic.js'

/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64)

/** Who did something, as the audit log names them. */
export interface AuditActor {
  org: string
  role: string
  tokenId?: string
}

/** One link of the chain. `hash` = SHA-256 of the canonical JSON of every other field. */
export interface AuditRecord {
  seq: number
  at: number
  prev: string
  actor: AuditActor | null
  action: string
  subject: string
  details: unknown
  hash: string
}

export interface AuditInput {
  at: number
  actor: AuditActor | null
  action: string
  subject: string
  details?: unknown
}

/** The hash a record must carry, recomputed from its content. */
export function auditHash(record: Omit<AuditRecord, 'hash'>): string {
  const { seq, at, prev, actor, action, subject, details } = record
  return createHash('sha256')
    .update(canonicalJson({ seq, at, prev, actor, action, subject, details }))
    .digest('hex')
}

/** The head key's value ("<seq> <hash>", null for an empty chain) as seq and hash. */
export function parseAuditHead(head: string | null): { seq: number; hash: string } {
  if (!head) return { seq: 0, hash: GENESIS_HASH }
  const [seq, hash] = head.split(' ')
  return { seq: Number(seq), hash: hash ?? GENESIS_HASH }
}

/** The record that follows `head` (the raw head value, null for an empty chain), hashed. */
export function nextAuditRecord(head: string | null, input: AuditInput): AuditRecord {
  const previous = parseAuditHead(head)
  const body = {
    seq: previous.seq + 1,
    at: input.at,
    prev: previous.hash,
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    details: input.details ?? null,
  }
  return { ...body, hash: auditHash(body) }
}

type Tx = ReturnType<Redis['multi']>

/**
 * Queues `record` (from {@link nextAuditRecord} of a head read after `WATCH db.keys.auditHead`)
 * on a caller's `MULTI`, so a change and its audit record commit together or not at all. If
 * another writer moves the head first, the WATCH aborts the whole transaction and the caller
 * retries with the new head: the chain never forks.
 */
export function queueAudit(tx: Tx, db: Db, record: AuditRecord): void {
  tx.xadd(db.keys.audit, `${record.seq}-1`, 'record', JSON.stringify(record))
  tx.set(db.keys.auditHead, `${record.seq} ${record.hash}`)
}

/**
 * Appends one record to the chain. The head is read under WATCH and the record queued with
 * {@link queueAudit}, the same way every change that carries its own audit record commits
 * ({@link watchedChange}): a writer that moved the head first aborts this EXEC and the append
 * runs again, with a little random backoff, on the new head.
 */
export async function appendAudit(db: Db, input: AuditInput): Promise<AuditRecord> {
  const [record] = await appendAudits(db, [input])
  return record!
}

/**
 * Appends several records in order as one transaction, each chained to the one before: one
 * notice per party of an order (dozens of ISPs) costs one append, not one each.
 */
export async function appendAudits(db: Db, inputs: AuditInput[]): Promise<AuditRecord[]> {
  if (inputs.length === 0) return []
  return watchedChange(db, [db.keys.auditHead], 'audit head', async (redis) => {
    let head = await redis.get(db.keys.auditHead)
    const tx = redis.multi()
    const records = inputs.map((input) => {
      const record = nextAuditRecord(head, input)
      queueAudit(tx, db, record)
      head = `${record.seq} ${record.hash}`
      return record
    })
    return { tx, result: records }
  })
}

function parseEntries(entries: [string, string[]][]): { id: string; record: AuditRecord | null }[] {
  return entries.map(([id, fields]) => {
    const at = fields.indexOf('record')
    try {
      return { id, record: at >= 0 ? (JSON.parse(fields[at + 1] ?? '') as AuditRecord) : null }
    } catch {
      return { id, record: null }
    }
  })
}

/** One page of the log, oldest first, starting after `afterSeq`. */
export async function readAudit(
  db: Db,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<{ records: AuditRecord[]; nextAfter: number | null }> {
  const limit = options.limit ?? 100
  const start = `(${options.afterSeq ?? 0}-1`
  const entries = (await db.redis.xrange(db.keys.audit, start, '+', 'COUNT', limit)) as [string, string[]][]
  const records = parseEntries(entries).flatMap((entry) => (entry.record ? [entry.record] : []))
  const last = records.at(-1)
  return { records, nextAfter: records.length === limit && last ? last.seq : null }
}

/** Calls `visit` with every stored record in order, a page at a time. */
export async function* iterateAudit(
  db: Db,
  pageSize = 1000,
): AsyncGenerator<{ id: string; record: AuditRecord | null }> {
  let start = '-'
  for (;;) {
    const entries = (await db.redis.xrange(db.keys.audit, start, '+', 'COUNT', pageSize)) as [
      string,
      string[],
    ][]
    for (const entry of parseEntries(entries)) yield entry
    const last = entries.at(-1)
    if (!last || entries.length < pageSize) return
    start = `(${last[0]}`
  }
}

export interface AuditVerification {
  ok: boolean
  checked: number
  head: { seq: number; hash: string }
  firstBad?: { seq: number; id: string; reason: string }
}

/**
 * Recomputes the whole chain and names the first record that does not hold: a changed record
 * (its hash no longer matches), a removed or reordered one (a gap in seq, or prev not the
 * previous hash), or a head that points elsewhere.
 */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  const head = parseAuditHead(await db.redis.get(db.keys.auditHead))
  let expectedSeq = 1
  let prev = GENESIS_HASH
  let checked = 0
  const bad = (seq: number, id: string, reason: string): AuditVerification => ({
    ok: false,
    checked,
    head,
    firstBad: { seq, id, reason },
  })
  for await (const { id, record } of iterateAudit(db)) {
    const idSeq = Number(id.split('-')[0])
    if (!record) return bad(idSeq, id, 'record is not readable JSON')
    if (record.seq !== expectedSeq || idSeq !== expectedSeq) {
      return bad(
        expectedSeq,
        id,
        `expected record ${expectedSeq} here, found ${record.seq}: a record is missing or moved`,
      )
    }
    if (record.prev !== prev) return bad(record.seq, id, 'prev does not match the hash of the record before')
    const { hash, ...body } = record
    if (auditHash(body) !== hash)
      return bad(record.seq, id, 'content does not match its hash: the record was changed')
    prev = hash
    expectedSeq++
    checked++
  }
  if (head.seq !== checked || head.hash !== prev) {
    return bad(
      head.seq,
      `${head.seq}-1`,
      'the head does not point at the last record: records were removed from the end',
    )
  }
  return { ok: true, checked, head }
}
