import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { webAssets } from '../assets.js'
import type { Metrics } from '../metrics.js'

/** Liveness, readiness (Redis answers, the page is built) and Prometheus metrics. */
export function healthRoutes(app: FastifyInstance, deps: { redis: Redis; metrics: Metrics }): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    try {
      await Promise.all([deps.redis.ping(), webAssets()])
      return { status: 'ready' }
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: (err as Error).message })
    }
  })
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType)
    return deps.metrics.registry.metrics()
  })
}
