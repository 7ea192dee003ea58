/**
 * The scheduler's HTTP face: liveness, readiness and Prometheus metrics. The scheduler does its
 * work in BullMQ workers (scheduler.ts); this app never listens by itself (server.ts does), so
 * tests drive it with `inject`.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Redis } from 'ioredis'
import type { Metrics } from './metrics.js'

export interface AppDeps {
  redis: Redis
  metrics: Metrics
  /** Ready once the catch-up is done and the workers take jobs. */
  isReady: () => boolean
  logger?: FastifyServerOptions['logger']
}

/** Builds the health/metrics app; closing it closes nothing else. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: deps.logger ?? false, disableRequestLogging: true })
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    if (!deps.isReady()) return reply.code(503).send({ status: 'not ready', reason: 'catching up' })
    try {
      await deps.redis.ping()
      return { status: 'ready' }
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: (err as Error).message })
    }
  })
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType)
    return deps.metrics.registry.metrics()
  })
  return app
}
