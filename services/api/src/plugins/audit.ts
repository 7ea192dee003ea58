import { type AuditInput, type AuditRecord, appendAudit } from '@offside/store'
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

/**
 * The audit record of an action by the caller, for a store function that appends it in the same
 * transaction as the change (e.g. `swapWeeklyList`), rather than after it.
 */
export function auditInput(
  request: FastifyRequest | null,
  action: string,
  subject: string,
  details?: unknown,
): AuditInput {
  const identity = request?.identity
  return {
    at: Date.now(),
    actor: identity ? { org: identity.org, role: identity.role, tokenId: identity.tokenId } : null,
    action,
    subject,
    details,
  }
}

export default fp(
  async function auditPlugin(app: FastifyInstance) {
    app.decorate(
      'audit',
      (request: FastifyRequest | null, action: string, subject: string, details?: unknown) =>
        appendAudit(app.db, auditInput(request, action, subject, details)),
    )
  },
  { name: 'audit', dependencies: ['db'] },
)
