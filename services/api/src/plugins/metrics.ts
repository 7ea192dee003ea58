import { createRegistry, metricsPlugin } from '@offside/service'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, type Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; listEntries: Counter<'verdict'> }
  }
}

/** The API's metrics on a registry per app instance (tests build many apps in one process). */
export default fp(
  async function apiMetrics(app: FastifyInstance) {
    const registry = createRegistry('offside_api_')
    const listEntries = new Counter({
      name: 'offside_api_list_entries_total',
      help: 'Weekly-list entries received, by guard verdict',
      labelNames: ['verdict'] as const,
      registers: [registry],
    })
    app.decorate('metrics', { registry, listEntries })
    await app.register(metricsPlugin, { registry, requestDuration: 'offside_api_request_duration_seconds' })
  },
  { name: 'metrics' },
)
