import type { FastifyInstance, FastifySchema } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * A registry of one's own (tests build many apps in one process), with the process metrics.
 * `prefix` names the default metrics (`offside_api_process_cpu_seconds_total`); none keeps prom-client's.
 */
export function createRegistry(prefix?: string): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, ...(prefix ? { prefix } : {}) })
  return registry
}

/** Declares a service's counters and gauges, each registered in `registry` only. */
export function metricsIn(registry: Registry) {
  return {
    counter: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers: [registry] }),
    gauge: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers: [registry] }),
  }
}

export interface MetricsOptions {
  registry: Registry
  /**
   * Also time every request into `<name>` by method, route and status, e.g.
   * `offside_api_request_duration_seconds`.
   */
  requestDuration?: string
}

/** `/metrics` in Prometheus text (public, hidden from the API docs). */
export const metricsPlugin = fp(
  async function metricsPlugin(app: FastifyInstance, options: MetricsOptions) {
    const { registry } = options
    // `tags` and `hide` are @fastify/swagger's words; where it is not registered they do nothing.
    const schema = { tags: ['health'], hide: true } as FastifySchema
    app.get('/metrics', { config: { public: true }, schema }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    )
    if (!options.requestDuration) return
    const requests = new Histogram({
      name: options.requestDuration,
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 3, 10],
      registers: [registry],
    })
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
  { name: 'offside-metrics' },
)
