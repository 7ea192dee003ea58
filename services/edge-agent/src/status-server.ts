import { createServer, type Server } from 'node:http'
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { Agent } from './agent.js'

/**
 * The agent's local HTTP endpoints: /healthz, /readyz (connected, token accepted, nothing refused,
 * not behind; the body names each problem), /metrics
 * (Prometheus) and /status (JSON; `?prefixes=1` adds the prefixes enforced now). Counts only:
 * the agent never reports subscribers' traffic.
 */
export function createStatusServer(agent: Agent): Server {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'offside_agent_' })
  const gauges: [string, string, (s: ReturnType<Agent['status']>) => number][] = [
    ['offside_agent_revision', 'Last revision applied and persisted', (s) => s.revision],
    ['offside_agent_connected', '1 while connected to a gateway', (s) => (s.connected ? 1 : 0)],
    ['offside_agent_ready', '1 while /readyz answers 200', () => (agent.readiness().ready ? 1 : 0)],
    ['offside_agent_groups', 'Enforcement groups held (active or staged)', (s) => s.groups],
    ['offside_agent_enforced_prefixes', 'Prefixes enforced now', (s) => s.enforced],
    ['offside_agent_staged_prefixes', 'Prefixes staged for a later window', (s) => s.staged],
    [
      'offside_agent_rejected_messages',
      'Messages refused since start (bad signature, malformed)',
      (s) => s.rejected,
    ],
    ['offside_agent_applied_revisions', 'Revisions applied since start', (s) => s.applied],
    [
      'offside_agent_clock_offset_ms',
      "This clock minus the gateway's, last measured",
      (s) => s.clock?.offsetMs ?? 0,
    ],
    [
      'offside_agent_clock_skewed',
      "1 while the clock is off the gateway's past the bound",
      (s) => (s.clock?.skewed ? 1 : 0),
    ],
    ['offside_agent_reconnects', 'Reconnects since start', (s) => s.reconnects],
    [
      'offside_agent_unknown_group_refusals',
      'Deltas refused since start because a copy named a group the agent no longer held (each asks for a snapshot)',
      (s) => s.unknownGroups,
    ],
  ]
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(agent.status()))
      },
    })
  }

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent')
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    switch (url.pathname) {
      case '/healthz':
        return json(200, { ok: true })
      case '/readyz': {
        const { ready, problems } = agent.readiness()
        return json(ready ? 200 : 503, { ok: ready, problems })
      }
      case '/status': {
        const status = agent.status()
        return json(
          200,
          url.searchParams.has('prefixes') ? { ...status, prefixes: agent.enforcedPrefixes() } : status,
        )
      }
      case '/metrics':
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          () => res.writeHead(500).end(),
        )
        return
      default:
        return json(404, { error: 'not found' })
    }
  })
}
