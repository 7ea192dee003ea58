import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { OrgKind } from '@offside/core'
import type { Db } from './keys.js'

export type Role = OrgKind

/** What Redis keeps about a token: never the token itself, only its SHA-256. */
export interface TokenRecord {
  id: string
  org: string
  role: Role
  hash: string
  label?: string
  createdAt: number
  revokedAt?: number
}

/** Who a valid token speaks for. */
export interface TokenIdentity {
  tokenId: string
  org: string
  role: Role
}

/** SHA-256 of a bearer token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex')
  const right = Buffer.from(b, 'hex')
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * Issues a new random token for one organisation and role. The token is returned once; Redis
 * keeps only its hash.
 */
export async function createToken(
  db: Db,
  input: { org: string; role: Role; label?: string; now: number },
): Promise<{ token: string; record: TokenRecord }> {
  const token = `ofs_${randomBytes(32).toString('base64url')}`
  const record: TokenRecord = {
    id: `tok_${randomBytes(9).toString('base64url')}`,
    org: input.org,
    role: input.role,
    hash: hashToken(token),
    createdAt: input.now,
    ...(input.label ? { label: input.label } : {}),
  }
  await db.redis
    .multi()
    .hset(db.keys.tokens, record.id, JSON.stringify(record))
    .hset(db.keys.tokenHashes, record.hash, record.id)
    .exec()
  return { token, record }
}

/** Revokes a token; returns the record, or null when there is no such token. */
export async function revokeToken(db: Db, id: string, now: number): Promise<TokenRecord | null> {
  const raw = await db.redis.hget(db.keys.tokens, id)
  if (!raw) return null
  const record = JSON.parse(raw) as TokenRecord
  if (record.revokedAt === undefined) record.revokedAt = now
  await db.redis
    .multi()
    .hset(db.keys.tokens, id, JSON.stringify(record))
    .hdel(db.keys.tokenHashes, record.hash)
    .exec()
  return record
}

export async function listTokens(db: Db, org?: string): Promise<TokenRecord[]> {
  const all = (await db.redis.hvals(db.keys.tokens)).map((raw) => JSON.parse(raw) as TokenRecord)
  return all
    .filter((record) => org === undefined || record.org === org)
    .sort((a, b) => a.createdAt - b.createdAt)
}

/**
 * Resolves a bearer token to its organisation and role, or null when it is unknown or revoked.
 * The lookup goes by hash; the final comparison is constant-time so a near miss leaks nothing.
 */
export async function verifyToken(db: Db, token: string): Promise<TokenIdentity | null> {
  if (!token) return null
  const hash = hashToken(token)
  const id = await db.redis.hget(db.keys.tokenHashes, hash)
  if (!id) return null
  const raw = await db.redis.hget(db.keys.tokens, id)
  if (!raw) return null
  const record = JSON.parse(raw) as TokenRecord
  if (record.revokedAt !== undefined || !sameDigest(record.hash, hash)) return null
  return { tokenId: record.id, org: record.org, role: record.role }
}
