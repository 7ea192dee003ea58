import {
  AUTHORITY_ORG,
  hashToken,
  type Role,
  sameDigest,
  type TokenIdentity,
  verifyToken,
} from '@offside/store'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors.js'

/** Who is calling. The bootstrap admin token speaks for the authority organisation. */
export interface Identity extends TokenIdentity {
  admin: boolean
}

/** Per-route access: `public` needs no token; otherwise a token whose role is in `roles` (any role if absent). */
export interface AccessConfig {
  public?: boolean
  roles?: Role[]
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null
  }
  interface FastifyContextConfig extends AccessConfig {}
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1] ?? null
}

/** The caller's identity, which the auth hook guarantees on every non-public route. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new errors.Unauthorized()
  return request.identity
}

/**
 * Refuses a caller acting for another organisation's data: a rightsholder only touches its own
 * lists. Authority and ops may read everything (`readAll`); writes name their roles in the route.
 */
export function assertOwnOrg(
  request: FastifyRequest,
  org: string,
  options: { readAll?: boolean } = {},
): void {
  const identity = identityOf(request)
  if (options.readAll && (identity.role === 'authority' || identity.role === 'ops')) return
  if (identity.org !== org) {
    throw new errors.Forbidden(`a ${identity.role} token of "${identity.org}" cannot act for "${org}"`)
  }
}

/** The rightsholder a read is about: a rightsholder's own, whatever it asked; for others the one asked, if any. */
export function rightsholderScope(request: FastifyRequest, asked: string | undefined): string | undefined {
  const identity = identityOf(request)
  return identity.role === 'rightsholder' ? identity.org : asked
}

export default fp(
  async function authPlugin(app: FastifyInstance, options: { adminToken: string }) {
    const adminHash = hashToken(options.adminToken)
    app.decorateRequest('identity', null)
    app.addHook('onRequest', async (request) => {
      const url = request.routeOptions.url
      // Unknown routes fall through to the 404 handler; the API docs are public.
      if (!url || url.startsWith('/docs')) return
      const access = request.routeOptions.config as AccessConfig
      const token = bearer(request)
      if (access.public) return
      if (!token) throw new errors.Unauthorized()
      const hash = hashToken(token)
      const identity: Identity | null = sameDigest(hash, adminHash)
        ? { tokenId: 'admin', org: AUTHORITY_ORG.id, role: 'authority', admin: true }
        : await verifyToken(app.db, token).then((found) => (found ? { ...found, admin: false } : null))
      if (!identity) throw new errors.Unauthorized()
      request.identity = identity
      if (access.roles && !access.roles.includes(identity.role)) {
        throw new errors.Forbidden(`a ${identity.role} token may not ${request.method} ${url}`)
      }
    })
  },
  { name: 'auth', dependencies: ['db'] },
)
