/**
 * The scheduler's HTTP face: liveness, readiness and Prometheus metrics. The scheduler does its
 * work in BullMQ workers (scheduler.ts); this app never listens by itself (server.ts does), so
 * tests drive it with `inject`.
 */
import { condition, healthPlugin, type Log, metricsPlugin } from '@offside/service'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { Metrics } from './metrics.js'

export interface AppDeps {
  redis: Redis
  metrics: Metrics
  /** Ready once the catch-up is done and the workers take jobs. */
  isReady: () => boolean
  /** The process's pino logger; none in tests. */
  logger?: Log
}

/** Builds the health/metrics app; closing it closes nothing else. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = deps.logger
    ? Fastify({ loggerInstance: deps.logger, disableRequestLogging: true })
    : Fastify({ logger: false })
  await app.register(healthPlugin, {
    checks: { catchUp: condition(deps.isReady, 'catching up'), redis: () => deps.redis.ping() },
  })
  await app.register(metricsPlugin, { registry: deps.metrics.registry })
  return app
}
