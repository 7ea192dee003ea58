import { randomBytes } from 'node:crypto'
import type { Revocation } from '@offside/core'
import type { Db } from './keys.js'
import { runScript } from './scripts.js'

export type ComplaintStatus = 'open' | 'upheld' | 'rejected'

export interface ComplaintDecision {
  outcome: 'revoke' | 'suspend-order' | 'reject'
  reason: string
  prefixes?: string[]
  order?: string
  /** Listed entries the decision took out, per rightsholder (SPEC rule 12; the portal counts them per week). */
  revokedBy?: Record<string, number>
  decidedAt: number
  decidedBy: string
}

/** A third party's complaint against a block (SPEC rule 7). */
export interface Complaint {
  id: string
  target: string
  contact: string
  reason: string
  filedAt: number
  status: ComplaintStatus
  decision?: ComplaintDecision
}

/** A revocation as stored: core's Revocation plus where it came from. */
export interface RevocationRecord extends Revocation {
  id: string
  complaint: string
  at: number
}

export async function fileComplaint(
  db: Db,
  input: { target: string; contact: string; reason: string; now: number },
): Promise<Complaint> {
  const complaint: Complaint = {
    id: `c_${randomBytes(9).toString('base64url')}`,
    target: input.target,
    contact: input.contact,
    reason: input.reason,
    filedAt: input.now,
    status: 'open',
  }
  await db.redis.hset(db.keys.complaints, complaint.id, JSON.stringify(complaint))
  return complaint
}

export async function getComplaint(db: Db, id: string): Promise<Complaint | null> {
  const raw = await db.redis.hget(db.keys.complaints, id)
  return raw ? (JSON.parse(raw) as Complaint) : null
}

export async function listComplaints(db: Db, status?: ComplaintStatus): Promise<Complaint[]> {
  return (await db.redis.hvals(db.keys.complaints))
    .map((raw) => JSON.parse(raw) as Complaint)
    .filter((complaint) => status === undefined || complaint.status === status)
    .sort((a, b) => a.filedAt - b.filedAt)
}

/**
 * Records the authority's decision atomically: the complaint, any revocations it creates, and the
 * revoked counter of each rightsholder whose entries it removed. Returns null, writing nothing,
 * when the complaint was decided meanwhile.
 */
export async function decideComplaint(
  db: Db,
  complaint: Complaint,
  decision: ComplaintDecision,
  effects: { revocations: Omit<RevocationRecord, 'id'>[]; revokedBy: Map<string, number> },
): Promise<Complaint | null> {
  const decided: Complaint = {
    ...complaint,
    status: decision.outcome === 'reject' ? 'rejected' : 'upheld',
    decision,
  }
  const reporters = [...effects.revokedBy]
  const keys = [
    db.keys.complaints,
    db.keys.revocations,
    db.keys.stateGeneration,
    ...reporters.map(([rightsholder]) => db.keys.reporter(rightsholder)),
  ]
  const args: (string | number)[] = [complaint.id, JSON.stringify(decided), effects.revocations.length]
  for (const revocation of effects.revocations) {
    const id = `r_${randomBytes(9).toString('base64url')}`
    args.push(id, JSON.stringify({ id, ...revocation }))
  }
  for (const [, count] of reporters) args.push(count)
  const done = await runScript(db.redis, 'decideComplaint', keys, args)
  return done === 'decided' ? decided : null
}

export async function listRevocations(db: Db): Promise<RevocationRecord[]> {
  return (await db.redis.hvals(db.keys.revocations)).map((raw) => JSON.parse(raw) as RevocationRecord)
}
