import { createRegistry } from '@offside/service'
import { Counter, Histogram } from 'prom-client'

/** The scheduler's Prometheus metrics, in a registry of its own (one per instance, so tests can build many). */
export function createMetrics() {
  const registry = createRegistry()
  return {
    registry,
    revisions: new Counter({
      name: 'offside_scheduler_revisions_total',
      help: 'Revisions this process published, by cause',
      labelNames: ['cause'] as const,
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'offside_scheduler_skipped_total',
      help: 'Recomputes that published nothing (unchanged, stale: event moved, duplicate-instant) and triggers coalesced into an earlier recompute',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    recomputeSeconds: new Histogram({
      name: 'offside_scheduler_recompute_seconds',
      help: 'Time to load the inputs, compute the groups and publish a revision',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    recomputeStepSeconds: new Histogram({
      name: 'offside_scheduler_recompute_step_seconds',
      help: 'Time of each step of a recompute: load (inputs and snapshot), compute (groups), breaker, diff, publish (the Lua script)',
      labelNames: ['step'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    publishDelaySeconds: new Histogram({
      name: 'offside_scheduler_publish_delay_seconds',
      help: 'How long after its scheduled instant a window-open/close or rotation revision was published',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'offside_scheduler_job_failures_total',
      help: 'Jobs that threw (BullMQ retries them)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
