/**
 * The scheduler's HTTP face: liveness, readiness and Prometheus metrics. The scheduler does its
 * work in BullMQ workers (scheduler.ts); this app never listens by itself (server.ts does), so
 * tests drive it with `inject`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { Metrics } from './metrics.js'

export interface AppDeps {
  redis: Redis
  metrics: Metrics
  /** Ready once the catch-up is done and the workers take jobs. */
  isReady: () => boolean
  /** The process's pino logger; none in tests. */
  logger?: FastifyBaseLogger
}

/** Builds the health/metrics app; closing it closes nothing else. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = deps.logger
    ? Fastify({ loggerInstance: deps.logger, disableRequestLogging: true })
    : Fastify({ logger: false })
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    if (!deps.isReady()) return reply.code(503).send({ status: 'not ready', reason: 'catching up' })
    try {
      await withTimeout(deps.redis.ping(), 1000)
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

/** A readiness probe must answer quickly even while the Redis client is retrying. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
