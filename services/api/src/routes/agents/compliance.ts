import type { ComplianceRow, IspSummary } from '@offside/core'
import type { AckRecord, AgentRecord } from '@offside/store'

// The rules (which revisions an agent answers for, later acks counting, the late bound) live in
// core's compliance.ts, shared with the dashboard; this module only summarises and exports rows.
export { type ComplianceRow, type ComplianceStatus, complianceRows, type IspSummary } from '@offside/core'

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
        refused: 0,
        clockSkewed: 0,
        delaySum: 0,
        delayCount: 0,
      })
    }
    const summary = byIsp.get(agent.isp)
    if (summary) {
      summary.agents++
      summary.refused += agent.refused
      if (agent.clock?.skewed) summary.clockSkewed++
    }
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
  'backend',
  'enforcedNames',
  'stagedNames',
  'clockOffsetMs',
  'clockSkewed',
] as const

/**
 * What an agent reported with the ack covering a revision (the first at or after it in `acks`,
 * sorted by revision): the domain names its resolver held, and its clock, a skewed one marking the
 * evidence. Null where no ack did: a revision counted from a hello carries no counts, and acks
 * recorded before names (or clocks) were reported count 0 names (and no clock).
 */
export interface RowReport {
  enforcedNames: number | null
  stagedNames: number | null
  /** Agent clock minus gateway clock (ms) when it applied the revision; null when not measured. */
  clockOffsetMs: number | null
  /** The agent's alarm was raised: it switched that revision's windows that much early or late (null: not measured). */
  clockSkewed: boolean | null
}

const NO_REPORT: RowReport = {
  enforcedNames: null,
  stagedNames: null,
  clockOffsetMs: null,
  clockSkewed: null,
}

export function reportedWith(acks: AckRecord[], revision: number): RowReport {
  const ack = acks.find((candidate) => candidate.revision >= revision)
  if (ack?.source !== 'ack') return NO_REPORT
  const clock = ack.clockOffsetMs === undefined
  return {
    enforcedNames: ack.enforcedNames ?? 0,
    stagedNames: ack.stagedNames ?? 0,
    clockOffsetMs: clock ? null : (ack.clockOffsetMs ?? null),
    clockSkewed: clock ? null : (ack.clockSkewed ?? false),
  }
}

/**
 * One RFC 4180 field, neutralised against formula injection: a spreadsheet runs a cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return (agent ids are chosen by ISPs), so
 * such a cell gets a leading apostrophe (OWASP's advice) and is quoted.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value
  return /[",\n\r\t']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** RFC 4180 CSV of the rows, instants as ISO 8601 UTC, with each agent's backend, names counts and clock. */
export function toCsv(
  rows: ComplianceRow[],
  backendOf: (row: ComplianceRow) => string = () => '',
  reportOf: (row: ComplianceRow) => RowReport = () => NO_REPORT,
): string {
  const count = (n: number | null) => (n === null ? '' : String(n))
  const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString())
  const lines = [CSV_COLUMNS.join(',')]
  for (const row of rows) {
    const report = reportOf(row)
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
        backendOf(row),
        count(report.enforcedNames),
        count(report.stagedNames),
        count(report.clockOffsetMs),
        report.clockSkewed === null ? '' : String(report.clockSkewed),
      ]
        .map(csvField)
        .join(','),
    )
  }
  return `${lines.join('\r\n')}\r\n`
}
