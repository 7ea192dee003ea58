import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const Health = Type.Object({ status: Type.String() })

/** Liveness, readiness (Redis answers PING) and Prometheus metrics. */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['health'], response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    { config: { public: true }, schema: { tags: ['health'], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      try {
        await app.db.redis.ping()
        return { status: 'ready' }
      } catch {
        return reply.code(503).send({ status: 'redis unreachable' })
      }
    },
  )
  app.get(
    '/metrics',
    { config: { public: true }, schema: { tags: ['health'], hide: true } },
    async (_request, reply) => {
      const registry = app.metrics.registry
      return reply.type(registry.contentType).send(await registry.metrics())
    },
  )
}

export default healthRoutes
