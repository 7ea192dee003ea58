import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Registry } from 'prom-client'
import type { PublicApi } from '../public-api.js'

/** Liveness, readiness (the API answers) and Prometheus metrics. */
export function healthRoutes(app: FastifyInstance, api: PublicApi): void {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'offside_portal_' })
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    try {
      await api.ready()
      return { status: 'ready' }
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: (err as Error).message })
    }
  })
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
}
