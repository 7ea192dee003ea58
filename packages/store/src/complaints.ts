import { randomBytes } from 'node:crypto'
import type { Revocation } from '@offside/core'
import type { Redis } from 'ioredis'
import type { Db } from './keys.js'

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
 * KEYS[1] complaints, KEYS[2] revocations, KEYS[3] state generation, KEYS[4..] reporter counters.
 * ARGV[1] complaint id, ARGV[2] decided complaint JSON, ARGV[3] number of revocations n, then n
 * pairs (id, JSON), then one count per reporter key.
 * Writes the decision only while the complaint is still open (else returns 0): of two authority
 * users deciding one complaint at once, exactly one wins, and the loser's revocations are never
 * written. WATCH cannot give this on a connection shared by concurrent requests.
 */
const DECIDE_LUA = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw or cjson.decode(raw).status ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local n = tonumber(ARGV[3])
for i = 1, n do redis.call('HSET', KEYS[2], ARGV[2 + 2 * i], ARGV[3 + 2 * i]) end
for k = 4, #KEYS do redis.call('HINCRBY', KEYS[k], 'revoked', ARGV[3 + 2 * n + k - 3]) end
redis.call('INCR', KEYS[3])
return 1
`

type DecideClient = Redis & { offsideDecideComplaint(...args: (string | number)[]): Promise<number> }

function withDecide(redis: Redis): DecideClient {
  const client = redis as DecideClient
  if (typeof client.offsideDecideComplaint !== 'function') {
    redis.defineCommand('offsideDecideComplaint', { lua: DECIDE_LUA })
  }
  return client
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
  const done = await withDecide(db.redis).offsideDecideComplaint(keys.length, ...keys, ...args)
  return done === 1 ? decided : null
}

export async function listRevocations(db: Db): Promise<RevocationRecord[]> {
  return (await db.redis.hvals(db.keys.revocations)).map((raw) => JSON.parse(raw) as RevocationRecord)
}
