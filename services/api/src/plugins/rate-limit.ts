import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Rate limiting for the public endpoints only (`global: false`; those routes set
 * `config.rateLimit`). Counters live in Redis so several API processes share one budget.
 */
export default fp(
  async function rateLimitPlugin(app: FastifyInstance) {
    await app.register(rateLimit, {
      global: false,
      redis: app.db.redis,
      nameSpace: app.db.keys.rateLimit,
      skipOnError: true,
    })
  },
  { name: 'rate-limit', dependencies: ['db'] },
)
