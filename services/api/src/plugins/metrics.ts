import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; listEntries: Counter<'verdict'> }
  }
}

/** A prom-client registry per app instance (tests build many apps in one process). */
export default fp(
  async function metricsPlugin(app: FastifyInstance) {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry, prefix: 'offside_api_' })
    const requests = new Histogram({
      name: 'offside_api_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 3, 10],
      registers: [registry],
    })
    const listEntries = new Counter({
      name: 'offside_api_list_entries_total',
      help: 'Weekly-list entries received, by guard verdict',
      labelNames: ['verdict'] as const,
      registers: [registry],
    })
    app.decorate('metrics', { registry, listEntries })
    app.addHook('onResponse', async (request, reply) => {
      requests.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unknown',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      )
    })
  },
  { name: 'metrics' },
)
