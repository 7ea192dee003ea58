import type { IspSummary } from '@offside/core'
import { type Command, Option } from 'commander'
import type { Cli } from '../context.js'

interface AgentView {
  isp: string
  agentId: string
  connected: boolean
  lastRevision: number
  behind: number
  enforced: number
  staged: number
  notFitting: number
  backend: string | null
  version: string | null
  lastSeenAt: string
}

/** `agents` and `compliance`: the ISPs' edge agents and how on time they enforced (SPEC rule 8). */
export function registerAgents(program: Command, cli: Cli): void {
  program
    .command('agents')
    .description(
      'edge agents: connection, revision, backend, prefixes enforced and staged (authority, ops, isp)',
    )
    .option('--isp <id>', 'only this ISP')
    .action(async (options: { isp?: string }) => {
      const result = (await cli.call('ops', '/v1/agents', { query: { isp: options.isp } })) as {
        revision: number
        agents: AgentView[]
      }
      cli.show(result, () => {
        const down = result.agents.filter((a) => !a.connected).length
        cli.io.out(`revision ${result.revision}; ${result.agents.length} agent(s), ${down} disconnected`)
        for (const a of result.agents) {
          const state = a.connected ? (a.behind > 0 ? `behind ${a.behind}` : 'connected') : 'DISCONNECTED'
          const backend = a.backend === 'dry-run' ? 'dry-run (NOT ENFORCING)' : (a.backend ?? '?')
          cli.io.out(
            `  ${a.isp}/${a.agentId}\t${state}\trevision ${a.lastRevision}\t${backend}\t` +
              `${a.enforced} prefixes enforced, ${a.staged} staged${a.notFitting ? `, ${a.notFitting} not fitting` : ''}` +
              `\tv${a.version ?? '?'}\tseen ${a.lastSeenAt}`,
          )
        }
      })
    })

  program
    .command('compliance')
    .description('per-ISP compliance: how long after each activation the agents enforced it')
    .option('--isp <id>', 'only this ISP')
    .option('--from <iso>', 'from this instant (default: 7 days before --to)')
    .option('--to <iso>', 'up to this instant (default: now)')
    .addOption(new Option('--format <format>', 'summary (default), or csv: every row').choices(['csv']))
    .action(async (options: { isp?: string; from?: string; to?: string; format?: string }) => {
      const query = { isp: options.isp, from: options.from, to: options.to }
      if (options.format === 'csv') {
        const csv = (await cli.call('ops', '/v1/reports/compliance', {
          query: { ...query, format: 'csv' },
        })) as string
        cli.io.out(csv.trimEnd())
        return
      }
      const report = (await cli.call('ops', '/v1/reports/compliance', { query })) as {
        from: string
        to: string
        lateMs: number
        summary: IspSummary[]
        notEnforcing?: { summary: IspSummary[] }
      }
      const line = (s: IspSummary) => {
        const worst = s.maxDelayMs === null ? '' : `, worst ${s.maxDelayMs} ms`
        return `  ${s.isp}\t${s.agents} agent(s)\t${s.onTime}/${s.expected} on time, ${s.late} late, ${s.missing} missing, ${s.pending} pending${worst}`
      }
      cli.show(report, () => {
        cli.io.out(`${report.from} → ${report.to}; late after ${report.lateMs} ms`)
        for (const s of report.summary) cli.io.out(line(s))
        const apart = report.notEnforcing?.summary ?? []
        if (apart.length > 0) {
          cli.io.out('not enforcing (dry-run or no backend named; their acknowledgements are no evidence):')
          for (const s of apart) cli.io.out(line(s))
        }
      })
    })
}
