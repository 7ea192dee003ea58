import { type ComplianceRow, complianceRows, enforcesWith } from '@offside/core'
import {
  type AckRecord,
  type AgentRecord,
  type Db,
  listAgents,
  readAcksOf,
  revisionReferences,
} from '@offside/store'
import { type IspSummary, summarise } from './compliance.js'

/** The compliance data of a period: what the report, the prosecutor's export and the annual report read. */
export interface ComplianceData {
  agents: AgentRecord[]
  rows: ComplianceRow[]
  /** Acks per agent (`isp/agentId`), from the period's first revision on. */
  acks: Map<string, AckRecord[]>
  capabilitiesOf(row: { isp: string; agentId: string }): readonly string[]
  /** Rows and per-ISP totals of agents that enforce (dry-run agents never count, SPEC rule 16). */
  enforcingRows: ComplianceRow[]
  summary: IspSummary[]
  /** The same for agents that do not enforce, shown apart. */
  apartRows: ComplianceRow[]
  apartSummary: IspSummary[]
}

export async function loadCompliance(
  db: Db,
  query: { from: number; to: number; isp?: string; lateMs: number; now: number },
): Promise<ComplianceData> {
  const [references, agents] = await Promise.all([
    revisionReferences(db, query.from, query.to),
    listAgents(db, query.isp === undefined ? {} : { isp: query.isp }),
  ])
  const byAgent = await readAcksOf(db, agents, references[0]?.revision)
  const rows = complianceRows(references, agents, (agent) => byAgent.get(agent) ?? [], {
    lateMs: query.lateMs,
    now: query.now,
  })
  const backends = new Map(agents.map((agent) => [`${agent.isp}/${agent.agentId}`, agent.capabilities]))
  const capabilitiesOf = (row: { isp: string; agentId: string }) =>
    backends.get(`${row.isp}/${row.agentId}`) ?? []
  const enforcing = agents.filter((agent) => enforcesWith(agent.capabilities))
  const apart = agents.filter((agent) => !enforcesWith(agent.capabilities))
  const enforcingRows = rows.filter((row) => enforcesWith(capabilitiesOf(row)))
  const apartRows = rows.filter((row) => !enforcesWith(capabilitiesOf(row)))
  return {
    agents,
    rows,
    acks: new Map([...byAgent].map(([agent, list]) => [`${agent.isp}/${agent.agentId}`, list])),
    capabilitiesOf,
    enforcingRows,
    summary: summarise(enforcingRows, enforcing),
    apartRows,
    apartSummary: summarise(apartRows, apart),
  }
}
