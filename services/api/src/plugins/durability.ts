import { waitForReplicas } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * No acknowledged write is lost in a failover: before a successful change is answered, the
 * replicas OFFSIDE_REDIS_URL asks for (`?replicas=N`) must hold it (Redis WAIT). If they do not
 * within the URL's timeout, the caller gets 503 `OFFSIDE_NOT_REPLICATED` instead of a success: the
 * change is on the primary and will most likely stay, but it is not acknowledged, so a client
 * retries it (every write of the API is idempotent or says so with 409). Without `replicas` this
 * costs nothing.
 */
export default fp(
  async function durabilityPlugin(app: FastifyInstance) {
    app.addHook('onSend', async (request, reply, payload) => {
      if (READS.has(request.method) || reply.statusCode >= 400) return payload
      const replicated = await waitForReplicas(app.db.redis, app.db.keys.replicationMark).catch((err) => {
        request.log.error({ err }, 'cannot check replication')
        return false
      })
      if (replicated) return payload
      request.log.warn({ url: request.url }, 'change not yet held by a replica; answered 503')
      reply.code(503).type('application/problem+json')
      return JSON.stringify({
        type: 'https://offside.invalid/problems/offside-not-replicated',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the change is stored on the Redis primary but no replica has confirmed it yet; retry',
        code: 'OFFSIDE_NOT_REPLICATED',
      })
    })
  },
  { name: 'durability', dependencies: ['db'] },
)
