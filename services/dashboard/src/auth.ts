/**
 * Who may watch and act: an ops or authority token, checked on every data and action request
 * (the stream re-checks it periodically so a revoked token stops receiving data).
 */
import { timingSafeEqual } from 'node:crypto'
import { type Db, verifyToken } from '@offside/store'
import type { SessionView } from './view.js'

/** Resolves a bearer token to a session, or null when it is unknown, revoked or of another role. */
export type Authenticate = (token: string) => Promise<SessionView | null>

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export function createAuthenticate(db: Db, adminToken?: string): Authenticate {
  return async (token) => {
    // The bootstrap admin token is not stored in Redis; the API accepts it as the authority.
    if (adminToken && sameToken(token, adminToken)) return { org: 'authority', role: 'authority' }
    const identity = await verifyToken(db, token)
    if (!identity || (identity.role !== 'ops' && identity.role !== 'authority')) return null
    return { org: identity.org, role: identity.role }
  }
}
