/**
 * Signed checkpoints of the audit chain (SPEC rule 9, issue #11 point 4). The chain alone proves
 * that records were not edited one at a time, but whoever can write to Redis can recompute every
 * hash and rewrite it whole. A checkpoint is the head (`seq`, `hash`) signed with a key that is
 * not in Redis, so a rewrite shows as a record whose hash no longer matches what was signed.
 *
 * The checkpoint key is apart from the push key (a push key that signed audit heads could be
 * asked to sign a forged revision, and the reverse); messages carry a context string as well, so
 * a signature of one kind is never valid as the other.
 */
import { sign, verify } from 'node:crypto'
import { canonicalJson, type SigningKey, type TrustedKeys } from '@offside/protocol'
import { type AuditRecord, auditHash, GENESIS_HASH, parseAuditHead } from './audit.js'
import type { Db } from './keys.js'
import { watchedChange } from './optimistic.js'

/** One signed head of the chain, as stored and exported. */
export interface AuditCheckpoint {
  seq: number
  hash: string
  /** When it was signed (ms since the epoch). */
  at: number
  keyId: string
  /** Ed25519 over {@link checkpointMessage}, base64. */
  sig: string
}

const CONTEXT = 'offside-audit-checkpoint/1'

/** The bytes a checkpoint signs: its head and time, with a context no push ever carries. */
export function checkpointMessage(head: { seq: number; hash: string; at: number }): Buffer {
  return Buffer.from(canonicalJson({ context: CONTEXT, seq: head.seq, hash: head.hash, at: head.at }), 'utf8')
}

export function signCheckpoint(
  head: { seq: number; hash: string },
  at: number,
  key: SigningKey,
): AuditCheckpoint {
  const sig = sign(null, checkpointMessage({ ...head, at }), key.privateKey).toString('base64')
  return { seq: head.seq, hash: head.hash, at, keyId: key.keyId, sig }
}

/** Whether a checkpoint was signed by one of `trusted`; never throws on hostile input. */
export function checkCheckpoint(
  checkpoint: AuditCheckpoint,
  trusted: TrustedKeys,
): 'ok' | 'unknown-key' | 'bad-signature' {
  const key = trusted.get(checkpoint.keyId)
  if (!key) return 'unknown-key'
  try {
    const sig = Buffer.from(checkpoint.sig, 'base64')
    return sig.length === 64 && verify(null, checkpointMessage(checkpoint), key, sig) ? 'ok' : 'bad-signature'
  } catch {
    return 'bad-signature'
  }
}

/** Every stored checkpoint, oldest first. */
export async function readCheckpoints(db: Db): Promise<AuditCheckpoint[]> {
  const raw = await db.redis.zrange(db.keys.auditCheckpoints, 0, -1)
  return raw.flatMap((text) => {
    try {
      return [JSON.parse(text) as AuditCheckpoint]
    } catch {
      return []
    }
  })
}

/** What {@link writeCheckpoint} did. */
export type CheckpointOutcome =
  | { kind: 'signed'; checkpoint: AuditCheckpoint }
  | { kind: 'unchanged'; seq: number }
  /** The chain does not extend the last checkpoint this key signed: nothing signed, say so loudly. */
  | { kind: 'broken'; seq: number; reason: string }

const PAGE = 1000

/** Reads records (after, upTo] through `redis` and checks they chain on from `from`. */
async function checkTail(
  db: Db,
  redis: Db['redis'],
  from: { seq: number; hash: string },
  upTo: number,
): Promise<{ seq: number; hash: string } | { seq: number; reason: string }> {
  let at = from
  while (at.seq < upTo) {
    const entries = (await redis.xrange(db.keys.audit, `(${at.seq}-1`, `${upTo}-1`, 'COUNT', PAGE)) as [
      string,
      string[],
    ][]
    if (entries.length === 0) return { seq: at.seq + 1, reason: `record ${at.seq + 1} is missing` }
    for (const [, fields] of entries) {
      const record = parseRecord(fields)
      if (!record) return { seq: at.seq + 1, reason: `record ${at.seq + 1} is not readable JSON` }
      const { hash, ...body } = record
      if (record.seq !== at.seq + 1)
        return { seq: at.seq + 1, reason: `record ${at.seq + 1} is missing or moved` }
      if (record.prev !== at.hash)
        return { seq: record.seq, reason: `record ${record.seq} does not chain on` }
      if (auditHash(body) !== hash) return { seq: record.seq, reason: `record ${record.seq} was changed` }
      at = { seq: record.seq, hash }
    }
  }
  return at
}

function parseRecord(fields: string[] | undefined): AuditRecord | null {
  try {
    return JSON.parse(fields?.[fields.indexOf('record') + 1] ?? '') as AuditRecord
  } catch {
    return null
  }
}

async function recordAt(redis: Db['redis'], db: Db, seq: number): Promise<AuditRecord | null> {
  const entries = (await redis.xrange(db.keys.audit, `${seq}-1`, `${seq}-1`)) as [string, string[]][]
  return parseRecord(entries[0]?.[1])
}

/** The newest stored checkpoint this key signed (older keys' ones are not trusted here). */
async function lastOwnCheckpoint(
  redis: Db['redis'],
  db: Db,
  trusted: TrustedKeys,
): Promise<AuditCheckpoint | null> {
  for (let start = 0; ; start += 100) {
    const raw = await redis.zrevrange(db.keys.auditCheckpoints, start, start + 99)
    if (raw.length === 0) return null
    for (const text of raw) {
      try {
        const checkpoint = JSON.parse(text) as AuditCheckpoint
        if (checkCheckpoint(checkpoint, trusted) === 'ok') return checkpoint
      } catch {}
    }
  }
}

/**
 * Signs the current head if it moved since the last checkpoint, but only after checking that the
 * chain still extends the last checkpoint this key signed (record by record from there, or from
 * the start when there is none): a signer that signed whatever head it found would anchor a
 * rewrite. Several processes may run this at once; the WATCH lets one checkpoint per head through.
 */
export async function writeCheckpoint(
  db: Db,
  key: SigningKey,
  own: TrustedKeys,
  at: number,
): Promise<CheckpointOutcome> {
  // Records are append-only, so what was verified in an aborted attempt need not be read again.
  let verified: { seq: number; hash: string; base: string } | null = null
  return watchedChange<CheckpointOutcome>(
    db,
    [db.keys.auditHead, db.keys.auditCheckpoints],
    'audit checkpoint',
    async (redis) => {
      const head = parseAuditHead(await redis.get(db.keys.auditHead))
      const last = await lastOwnCheckpoint(redis, db, own)
      if (head.seq === 0 || (last && last.seq >= head.seq))
        return { result: { kind: 'unchanged', seq: head.seq } }
      const base = last ? `${last.seq} ${last.hash}` : 'genesis'
      if (verified?.base !== base) {
        verified = last ? { seq: last.seq, hash: last.hash, base } : { seq: 0, hash: GENESIS_HASH, base }
        const stored = last ? await recordAt(redis, db, last.seq) : null
        if (last && stored?.hash !== last.hash)
          return {
            result: {
              kind: 'broken',
              seq: last.seq,
              reason: `record ${last.seq} no longer has the hash checkpointed at ${new Date(last.at).toISOString()}: the chain was rewritten`,
            },
          }
      }
      const tail = await checkTail(db, redis, verified, head.seq)
      if ('reason' in tail) return { result: { kind: 'broken', seq: tail.seq, reason: tail.reason } }
      verified = { ...tail, base }
      if (tail.hash !== head.hash)
        return {
          result: { kind: 'broken', seq: head.seq, reason: 'the head does not point at the last record' },
        }
      const checkpoint = signCheckpoint(head, at, key)
      const tx = redis.multi().zadd(db.keys.auditCheckpoints, checkpoint.seq, JSON.stringify(checkpoint))
      return { tx, result: { kind: 'signed', checkpoint } }
    },
  )
}
