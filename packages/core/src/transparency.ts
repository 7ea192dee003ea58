/**
 * The public transparency report (SPEC rules 12, 14): orders and counts, never list entries.
 * Everything here is a count or an order's public particulars; the inputs may hold entries (the
 * enforced state's provenance) but only their number per order leaves this module.
 */
import { isoWeekKey } from './time.js'

export interface TransparencyOrder {
  id: string
  reference: string
  rightsholder: string
  competitions: string[]
  season: string
  suspended: boolean
  issuedAt: number
  updatedAt: number
  suspensions?: { from: number; until?: number }[]
}

export interface TransparencyList {
  rightsholder: string
  week: string
  /** Entries in the list as uploaded, and of them held and rejected by the guard. */
  entries: number
  held: number
  rejected: number
  hotAdditions: number
}

export interface TransparencyComplaint {
  id: string
  filedAt: number
  status: 'open' | 'upheld' | 'rejected'
  decision?: {
    outcome: 'revoke' | 'suspend-order' | 'reject'
    decidedAt: number
    order?: string
    prefixes?: string[]
    /** Listed entries the decision took out, per rightsholder. */
    revokedBy?: Record<string, number>
  }
}

export interface IspTimeliness {
  isp: string
  expected: number
  onTime: number
  late: number
  missing: number
}

export interface TransparencyInputs {
  now: number
  /** Time zone the weeks of decisions are counted in (the competitions' default). */
  timeZone: string
  orders: TransparencyOrder[]
  /** Orders each enforced entry is enforced under (one item per entry). */
  enforcedUnder: string[][]
  lists: TransparencyList[]
  complaints: TransparencyComplaint[]
  isps: IspTimeliness[]
}

export interface WeekCounts {
  week: string
  rightsholder: string
  listed: number
  held: number
  rejected: number
  revokedAfterComplaints: number
}

export interface DecisionSummary {
  complaint: string
  decidedAt: number
  outcome: 'revoke' | 'suspend-order' | 'reject'
  order?: string
  /** How many prefixes the decision revoked (0 for a rejection or a suspension). */
  revokedPrefixes: number
}

export interface TransparencyReport {
  generatedAt: number
  orders: (TransparencyOrder & { status: 'in-force' | 'suspended'; enforcedNow: number })[]
  enforcedNow: number
  weeks: WeekCounts[]
  complaints: {
    filed: number
    open: number
    upheld: number
    rejected: number
    /** Median time from filing to decision over decided complaints, null when none is decided. */
    medianDecisionMs: number | null
  }
  decisions: DecisionSummary[]
  isps: (IspTimeliness & { onTimeRate: number | null })[]
}

/** The middle value (mean of the two middle ones for an even count), null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function transparencyReport(inputs: TransparencyInputs): TransparencyReport {
  const perOrder = new Map<string, number>()
  for (const orders of inputs.enforcedUnder) {
    for (const order of new Set(orders)) perOrder.set(order, (perOrder.get(order) ?? 0) + 1)
  }

  const weeks = new Map<string, WeekCounts>()
  const weekOf = (rightsholder: string, week: string) => {
    const key = `${rightsholder}|${week}`
    let row = weeks.get(key)
    if (!row) {
      row = { week, rightsholder, listed: 0, held: 0, rejected: 0, revokedAfterComplaints: 0 }
      weeks.set(key, row)
    }
    return row
  }
  for (const list of inputs.lists) {
    const row = weekOf(list.rightsholder, list.week)
    row.listed += list.entries + list.hotAdditions
    row.held += list.held
    row.rejected += list.rejected
  }

  const decided: number[] = []
  const decisions: DecisionSummary[] = []
  let open = 0
  let upheld = 0
  let rejected = 0
  for (const complaint of inputs.complaints) {
    if (complaint.status === 'open') open++
    else if (complaint.status === 'upheld') upheld++
    else rejected++
    const decision = complaint.decision
    if (!decision) continue
    decided.push(decision.decidedAt - complaint.filedAt)
    decisions.push({
      complaint: complaint.id,
      decidedAt: decision.decidedAt,
      outcome: decision.outcome,
      ...(decision.order ? { order: decision.order } : {}),
      revokedPrefixes: decision.outcome === 'revoke' ? (decision.prefixes?.length ?? 0) : 0,
    })
    const week = isoWeekKey(decision.decidedAt, inputs.timeZone)
    for (const [rightsholder, count] of Object.entries(decision.revokedBy ?? {})) {
      weekOf(rightsholder, week).revokedAfterComplaints += count
    }
  }

  return {
    generatedAt: inputs.now,
    orders: inputs.orders.map((order) => ({
      ...order,
      status: order.suspended ? 'suspended' : 'in-force',
      enforcedNow: perOrder.get(order.id) ?? 0,
    })),
    enforcedNow: inputs.enforcedUnder.length,
    weeks: [...weeks.values()].sort(
      (a, b) => b.week.localeCompare(a.week) || a.rightsholder.localeCompare(b.rightsholder),
    ),
    complaints: {
      filed: inputs.complaints.length,
      open,
      upheld,
      rejected,
      medianDecisionMs: median(decided),
    },
    decisions: decisions.sort((a, b) => b.decidedAt - a.decidedAt),
    isps: inputs.isps.map((isp) => {
      const answered = isp.onTime + isp.late + isp.missing
      return { ...isp, onTimeRate: answered > 0 ? isp.onTime / answered : null }
    }),
  }
}
