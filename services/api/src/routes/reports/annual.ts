/**
 * The ISP's annual analytic report (PDL 1357 art. 5.4) from the compliance data of a calendar
 * year: per ISP, the revisions its enforcing agents had to apply and how many were on time, late
 * or missing, what their safety nets refused by reason, and the most prefixes and names enforced.
 * As JSON, CSV (formula-neutralised, compliance.ts's csvField) and PDF (pdf-lib).
 */
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { csvField } from '../agents/compliance.js'
import type { ComplianceData } from '../agents/compliance-data.js'

export interface IspYear {
  isp: string
  year: number
  agents: number
  revisions: number
  onTime: number
  late: number
  missing: number
  pending: number
  meanDelayMs: number | null
  maxDelayMs: number | null
  refused: number
  /** From the refusals each agent reported with its last acknowledgement. */
  refusalsByReason: Record<string, number>
  peakEnforcedPrefixes: number
  peakEnforcedNames: number
}

export function annualFigures(
  data: ComplianceData,
  year: number,
  period: { from: number; to: number },
): IspYear[] {
  return data.summary.map((summary) => {
    const agents = data.agents.filter((agent) => agent.isp === summary.isp)
    const refusalsByReason: Record<string, number> = {}
    for (const agent of agents)
      for (const refusal of agent.refusals ?? [])
        refusalsByReason[refusal.reason] = (refusalsByReason[refusal.reason] ?? 0) + refusal.count
    let peakEnforcedPrefixes = 0
    let peakEnforcedNames = 0
    for (const agent of agents) {
      for (const ack of data.acks.get(`${agent.isp}/${agent.agentId}`) ?? []) {
        if (ack.source !== 'ack' || ack.receivedAt < period.from || ack.receivedAt >= period.to) continue
        peakEnforcedPrefixes = Math.max(peakEnforcedPrefixes, ack.enforced)
        peakEnforcedNames = Math.max(peakEnforcedNames, ack.enforcedNames ?? 0)
      }
    }
    return {
      isp: summary.isp,
      year,
      agents: summary.agents,
      revisions: summary.expected,
      onTime: summary.onTime,
      late: summary.late,
      missing: summary.missing,
      pending: summary.pending,
      meanDelayMs: summary.meanDelayMs,
      maxDelayMs: summary.maxDelayMs,
      refused: summary.refused,
      refusalsByReason,
      peakEnforcedPrefixes,
      peakEnforcedNames,
    }
  })
}

const COLUMNS = [
  'isp',
  'year',
  'agents',
  'revisions',
  'onTime',
  'late',
  'missing',
  'pending',
  'meanDelayMs',
  'maxDelayMs',
  'refused',
  'refusalsByReason',
  'peakEnforcedPrefixes',
  'peakEnforcedNames',
] as const

const reasons = (byReason: Record<string, number>) =>
  Object.entries(byReason)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, count]) => `${reason}=${count}`)
    .join('; ')

export function annualCsv(figures: IspYear[]): string {
  const cell = (value: unknown) => (value === null ? '' : String(value))
  const lines = [COLUMNS.join(',')]
  for (const row of figures) {
    lines.push(
      COLUMNS.map((column) =>
        csvField(column === 'refusalsByReason' ? reasons(row.refusalsByReason) : cell(row[column])),
      ).join(','),
    )
  }
  return `${lines.join('\r\n')}\r\n`
}

/** One A4 page per ISP, Helvetica (a standard font: nothing to embed), figures as labelled lines. */
export async function annualPdf(figures: IspYear[], year: number, generatedAt: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create()
  pdf.setTitle(`Offside annual analytic report ${year}`)
  pdf.setSubject('PDL 1357 art. 5.4: ISP annual analytic report')
  pdf.setCreator('Offside')
  pdf.setCreationDate(new Date(generatedAt))
  pdf.setModificationDate(new Date(generatedAt))
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold)
  const ms = (value: number | null) => (value === null ? 'n/a' : `${value} ms`)
  for (const row of figures.length > 0 ? figures : [null]) {
    const page = pdf.addPage([595.28, 841.89])
    let y = 780
    const line = (text: string, options: { size?: number; strong?: boolean } = {}) => {
      page.drawText(text, { x: 56, y, size: options.size ?? 11, font: options.strong ? bold : font })
      y -= (options.size ?? 11) + 8
    }
    line(`Annual analytic report ${year}`, { size: 18, strong: true })
    if (!row) {
      line('No ISP had enforcing agents in this year.')
      continue
    }
    line(`ISP: ${row.isp}`, { size: 14, strong: true })
    line(`Period: ${year}-01-01 to ${year}-12-31 (UTC); generated ${new Date(generatedAt).toISOString()}`)
    y -= 8
    line(`Enforcing agents: ${row.agents}`)
    line(`Revisions received: ${row.revisions}`)
    line(`Applied on time: ${row.onTime}`)
    line(`Applied late: ${row.late}`)
    line(`Missing: ${row.missing}`)
    line(`Pending: ${row.pending}`)
    line(`Mean delay: ${ms(row.meanDelayMs)}; longest delay: ${ms(row.maxDelayMs)}`)
    line(`Refused by the ISP's safety net: ${row.refused}`)
    for (const [reason, count] of Object.entries(row.refusalsByReason))
      line(`  refused (${reason}): ${count}`)
    line(`Most prefixes enforced at once: ${row.peakEnforcedPrefixes}`)
    line(`Most names enforced at once: ${row.peakEnforcedNames}`)
  }
  return pdf.save()
}
