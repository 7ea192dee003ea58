import { type AuditRecord, appendAudit } from '@offside/store'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Appends one record to the hash-chained audit log on behalf of the caller (SPEC rule 9). */
    audit(
      request: FastifyRequest | null,
      action: string,
      subject: string,
      details?: unknown,
    ): Promise<AuditRecord>
  }
}

export default fp(
  async function auditPlugin(app: FastifyInstance) {
    app.decorate(
      'audit',
      (request: FastifyRequest | null, action: string, subject: string, details?: unknown) => {
        const identity = request?.identity
        return appendAudit(app.db, {
          at: Date.now(),
          actor: identity ? { org: identity.org, role: identity.role, tokenId: identity.tokenId } : null,
          action,
          subject,
          details,
        })
      },
    )
  },
  { name: 'audit', dependencies: ['db'] },
)
