import { createRegistry, metricsIn } from '@offside/service'

/** The dashboard's Prometheus metrics, in a registry of its own (one per app, so tests can build many). */
export function createMetrics() {
  const registry = createRegistry()
  const metric = metricsIn(registry)
  return {
    registry,
    viewers: metric.gauge('offside_dashboard_viewers', 'Browsers connected to the live stream'),
    viewsPushed: metric.counter(
      'offside_dashboard_views_pushed_total',
      'View models pushed to browsers because something changed',
    ),
    readErrors: metric.counter(
      'offside_dashboard_read_errors_total',
      'Failed attempts to read the dashboard data from Redis',
    ),
    actions: metric.counter(
      'offside_dashboard_actions_total',
      'Actions forwarded to the API, by kind and HTTP status',
      ['kind', 'status'],
    ),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
