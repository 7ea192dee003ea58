import { createRegistry } from '@offside/service'
import { Counter, Gauge } from 'prom-client'

/** The gateway's Prometheus metrics, on a registry of its own (one per app, so tests stay apart). */
export function createMetrics(connected: () => number) {
  const registry = createRegistry()
  const registers = [registry]
  return {
    registry,
    agents: new Gauge({
      name: 'offside_gateway_agents_connected',
      help: 'Agent connections held by this gateway process',
      registers,
      collect() {
        this.set(connected())
      },
    }),
    framesSent: new Counter({
      name: 'offside_gateway_frames_sent_total',
      help: 'Snapshots and deltas sent',
      registers,
    }),
    snapshots: new Counter({
      name: 'offside_gateway_snapshots_sent_total',
      help: 'Snapshots sent',
      registers,
    }),
    acks: new Counter({ name: 'offside_gateway_acks_total', help: 'Acknowledgements received', registers }),
    slowDisconnects: new Counter({
      name: 'offside_gateway_slow_disconnects_total',
      help: 'Agents disconnected because their unsent data passed the bound',
      registers,
    }),
    historyClaims: new Counter({
      name: 'offside_gateway_history_claims_total',
      help: 'Agents found holding revisions the store lost (Redis restored or emptied); the scheduler starts a new history',
      registers,
    }),
    agentErrors: new Counter({
      name: 'offside_gateway_agent_errors_total',
      help: 'Errors agents reported (bad signature, revision gap…)',
      labelNames: ['code'],
      registers,
    }),
  }
}

export type GatewayMetrics = ReturnType<typeof createMetrics>
