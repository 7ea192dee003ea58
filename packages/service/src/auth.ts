import type { FastifyReply, FastifyRequest } from 'fastify'

/** The bearer token of a request (`Authorization: Bearer <token>`), or '' when there is none. */
export function bearerToken(request: FastifyRequest): string {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  return match?.[1] ?? ''
}

export interface BearerAuthOptions<Identity> {
  /** The caller a token speaks for, or null when it is unknown, revoked or of the wrong role. */
  authenticate(token: string, request: FastifyRequest): Promise<Identity | null>
  /** Keeps the identity on the request for the handlers. */
  accept(request: FastifyRequest, identity: Identity, token: string): void
  /** The problem's title, saying which token is wanted. */
  title: string
}

/**
 * A hook (`onRequest` or `preValidation`) that answers 401 application/problem+json with code
 * OFFSIDE_UNAUTHORIZED unless the bearer token authenticates.
 */
export function bearerAuth<Identity>(options: BearerAuthOptions<Identity>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = bearerToken(request)
    const identity = token ? await options.authenticate(token, request) : null
    if (identity === null) {
      return reply.code(401).type('application/problem+json').send({
        type: 'about:blank',
        title: options.title,
        status: 401,
        code: 'OFFSIDE_UNAUTHORIZED',
      })
    }
    options.accept(request, identity, token)
  }
}
