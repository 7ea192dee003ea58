import { createRegistry } from '@offside/service'
import { Counter, Gauge } from 'prom-client'

/** The dashboard's Prometheus metrics, in a registry of its own (one per app, so tests can build many). */
export function createMetrics() {
  const registry = createRegistry()
  return {
    registry,
    viewers: new Gauge({
      name: 'offside_dashboard_viewers',
      help: 'Browsers connected to the live stream',
      registers: [registry],
    }),
    viewsPushed: new Counter({
      name: 'offside_dashboard_views_pushed_total',
      help: 'View models pushed to browsers because something changed',
      registers: [registry],
    }),
    readErrors: new Counter({
      name: 'offside_dashboard_read_errors_total',
      help: 'Failed attempts to read the dashboard data from Redis',
      registers: [registry],
    }),
    actions: new Counter({
      name: 'offside_dashboard_actions_total',
      help: 'Actions forwarded to the API, by kind and HTTP status',
      labelNames: ['kind', 'status'] as const,
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
