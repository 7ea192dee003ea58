import type { AckRecord, AgentRecord, RevisionReference } from '@offside/store'

/** How one agent did on one revision (SPEC rule 8). */
export type ComplianceStatus = 'on-time' | 'late' | 'missing' | 'pending'

export interface ComplianceRow {
  revision: number
  /** The revision's cause: window-open, window-close, hot-addition, complaint-upheld… */
  kind: string
  event?: string
  /** The instant the delay is measured from: the scheduled instant, or the revision's issue. */
  reference: number
  isp: string
  agentId: string
  /** When the gateway received the agent's first ack covering this revision. */
  ackedAt: number | null
  delayMs: number | null
  status: ComplianceStatus
}

export interface IspSummary {
  isp: string
  agents: number
  expected: number
  onTime: number
  late: number
  missing: number
  pending: number
  maxDelayMs: number | null
  meanDelayMs: number | null
}

/**
 * Per agent and revision, the delay from the revision's reference instant to the first ack of it
 * or of any later revision (acks are cumulative: an agent that acked revision 9 — or came back
 * with a snapshot at 9 — has applied revision 7). An agent is expected to ack the revisions
 * issued after it was first seen. Unacked past `lateMs` is missing; unacked within it, pending.
 */
export function complianceRows(
  references: RevisionReference[],
  agents: AgentRecord[],
  acksOf: (agent: AgentRecord) => AckRecord[],
  options: { lateMs: number; now: number },
): ComplianceRow[] {
  const rows: ComplianceRow[] = []
  for (const agent of agents) {
    const acks = acksOf(agent)
    // earliest[i]: the first time any ack with revision ≥ acks[i].revision arrived.
    const earliest: number[] = new Array(acks.length)
    let min = Number.POSITIVE_INFINITY
    for (let i = acks.length - 1; i >= 0; i--) {
      min = Math.min(min, acks[i]?.receivedAt ?? min)
      earliest[i] = min
    }
    let cursor = 0
    for (const ref of references) {
      if (ref.issuedAt < agent.firstSeenAt) continue
      while (cursor < acks.length && (acks[cursor]?.revision ?? 0) < ref.revision) cursor++
      const ackedAt = cursor < acks.length ? (earliest[cursor] ?? null) : null
      const delayMs = ackedAt === null ? null : Math.max(0, ackedAt - ref.reference)
      const status: ComplianceStatus =
        delayMs !== null
          ? delayMs <= options.lateMs
            ? 'on-time'
            : 'late'
          : options.now - ref.reference > options.lateMs
            ? 'missing'
            : 'pending'
      rows.push({
        revision: ref.revision,
        kind: ref.kind,
        ...(ref.event !== undefined ? { event: ref.event } : {}),
        reference: ref.reference,
        isp: agent.isp,
        agentId: agent.agentId,
        ackedAt,
        delayMs,
        status,
      })
    }
  }
  return rows.sort(
    (a, b) => a.revision - b.revision || a.isp.localeCompare(b.isp) || a.agentId.localeCompare(b.agentId),
  )
}

/** Totals per ISP, for the report's head and the dashboard. */
export function summarise(rows: ComplianceRow[], agents: AgentRecord[]): IspSummary[] {
  const byIsp = new Map<string, IspSummary & { delaySum: number; delayCount: number }>()
  for (const agent of agents) {
    if (!byIsp.has(agent.isp)) {
      byIsp.set(agent.isp, {
        isp: agent.isp,
        agents: 0,
        expected: 0,
        onTime: 0,
        late: 0,
        missing: 0,
        pending: 0,
        maxDelayMs: null,
        meanDelayMs: null,
        delaySum: 0,
        delayCount: 0,
      })
    }
    const summary = byIsp.get(agent.isp)
    if (summary) summary.agents++
  }
  for (const row of rows) {
    const summary = byIsp.get(row.isp)
    if (!summary) continue
    summary.expected++
    if (row.status === 'on-time') summary.onTime++
    else if (row.status === 'late') summary.late++
    else if (row.status === 'missing') summary.missing++
    else summary.pending++
    if (row.delayMs !== null) {
      summary.maxDelayMs = Math.max(summary.maxDelayMs ?? 0, row.delayMs)
      summary.delaySum += row.delayMs
      summary.delayCount++
    }
  }
  return [...byIsp.values()].map(({ delaySum, delayCount, ...summary }) => ({
    ...summary,
    meanDelayMs: delayCount > 0 ? Math.round(delaySum / delayCount) : null,
  }))
}

const CSV_COLUMNS = [
  'revision',
  'kind',
  'event',
  'reference',
  'isp',
  'agentId',
  'ackedAt',
  'delayMs',
  'status',
] as const

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** RFC 4180 CSV of the rows, instants as ISO 8601 UTC. */
export function toCsv(rows: ComplianceRow[]): string {
  const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString())
  const lines = [CSV_COLUMNS.join(',')]
  for (const row of rows) {
    lines.push(
      [
        String(row.revision),
        row.kind,
        row.event ?? '',
        iso(row.reference),
        row.isp,
        row.agentId,
        iso(row.ackedAt),
        row.delayMs === null ? '' : String(row.delayMs),
        row.status,
      ]
        .map(csvField)
        .join(','),
    )
  }
  return `${lines.join('\r\n')}\r\n`
}
