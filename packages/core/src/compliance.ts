/**
 * Compliance rules (SPEC rule 8), shared by the API's report and the dashboard so both tell the
 * same story: an agent answers for every revision issued since it was first seen; it applied one
 * when its first acknowledgement of that revision or of any later one reached a gateway (revisions
 * apply in order, and a snapshot at 9 covers 7); the delay is measured from the revision's
 * reference instant (the scheduled instant of a window open/close, else its issue). Within
 * `lateMs` it is on time, after it late; no acknowledgement past `lateMs` is missing, within it
 * pending (not counted yet).
 */

/** The bound used when none is configured: a few seconds (the budget for activations). */
export const DEFAULT_COMPLIANCE_LATE_MS = 5000

/** How one agent did on one revision. */
export type ComplianceStatus = 'on-time' | 'late' | 'missing' | 'pending'

/** What a revision is measured from. */
export interface ComplianceReference {
  revision: number
  /** The revision's cause: window-open, window-close, hot-addition, complaint-upheld… */
  kind: string
  event?: string
  issuedAt: number
  /** The instant the delay is measured from: the scheduled instant, or the revision's issue. */
  reference: number
}

/** An agent as compliance sees it. */
export interface ComplianceAgent {
  isp: string
  agentId: string
  firstSeenAt: number
}

/** One acknowledgement: which revision, and when a gateway received it (its clock, not the agent's). */
export interface ComplianceAck {
  revision: number
  receivedAt: number
}

export interface ComplianceRow {
  revision: number
  kind: string
  event?: string
  reference: number
  isp: string
  agentId: string
  /** When a gateway received the agent's first ack covering this revision. */
  ackedAt: number | null
  delayMs: number | null
  status: ComplianceStatus
}

/** The status of a revision acknowledged after `delayMs` (null: not yet) when `waitedMs` have passed. */
export function complianceStatus(delayMs: number | null, waitedMs: number, lateMs: number): ComplianceStatus {
  if (delayMs !== null) return delayMs <= lateMs ? 'on-time' : 'late'
  return waitedMs > lateMs ? 'missing' : 'pending'
}

/**
 * One row per agent and revision it answers for. `acksOf` returns an agent's acknowledgements
 * sorted by revision, ascending; rows come sorted by revision, then ISP, then agent.
 */
export function complianceRows<A extends ComplianceAgent>(
  references: ComplianceReference[],
  agents: A[],
  acksOf: (agent: A) => ComplianceAck[],
  options: { lateMs: number; now: number },
): ComplianceRow[] {
  const ordered = [...references].sort((a, b) => a.revision - b.revision)
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
    for (const ref of ordered) {
      if (ref.issuedAt < agent.firstSeenAt) continue
      while (cursor < acks.length && (acks[cursor]?.revision ?? 0) < ref.revision) cursor++
      const ackedAt = cursor < acks.length ? (earliest[cursor] ?? null) : null
      const delayMs = ackedAt === null ? null : Math.max(0, ackedAt - ref.reference)
      rows.push({
        revision: ref.revision,
        kind: ref.kind,
        ...(ref.event !== undefined ? { event: ref.event } : {}),
        reference: ref.reference,
        isp: agent.isp,
        agentId: agent.agentId,
        ackedAt,
        delayMs,
        status: complianceStatus(delayMs, options.now - ref.reference, options.lateMs),
      })
    }
  }
  return rows.sort(
    (a, b) => a.revision - b.revision || a.isp.localeCompare(b.isp) || a.agentId.localeCompare(b.agentId),
  )
}

/** The backend an agent announced in its hello (`backend:<name>`), or null when it named none. */
export function backendOf(capabilities: readonly string[]): string | null {
  const named = capabilities.find((capability) => capability.startsWith('backend:'))
  return named === undefined ? null : named.slice('backend:'.length)
}

/**
 * Whether an agent's acknowledgements are evidence of enforcement (SPEC rule 16): only an agent
 * that named a backend that programs the network. A dry-run agent, or one that named no backend,
 * is reported apart and never counts as enforcing.
 */
export function enforcesWith(capabilities: readonly string[]): boolean {
  const backend = backendOf(capabilities)
  return backend !== null && backend !== 'dry-run'
}

/** One ISP's compliance at a glance: its agents' activations by status and their delays. */
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
  /** Targets the ISP's agents refused by their own safety nets, in their last acks (SPEC rule 16). */
  refused: number
  /** Its agents whose clock, as they last reported it, is past their bound (their alarm is raised). */
  clockSkewed: number
}
