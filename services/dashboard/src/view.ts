/**
 * The dashboard's view model: what the server pushes to every browser over `/api/stream`. Types
 * only, shared by the server (which builds it) and the page (which renders it). Instants are epoch
 * milliseconds on the server's clock; address counts are decimal strings (IPv6 counts overflow
 * JavaScript numbers).
 */

/** Addresses covered, per family (IPv6 counts are astronomically larger and never added to IPv4). */
export interface AddressCounts {
  v4: string
  v6: string
}

/** An event window as the task force sees it, with what it enforces now. */
export interface WindowView {
  event: string
  title: string
  competition: string
  opensAt: number
  closesAt: number
  /** The ISO week whose list this event uses. */
  week: string
  /** Prefixes enforced for this window now (its enforcement group while it is active). */
  enforcedEntries: number
  enforcedAddresses: AddressCounts
  /**
   * Prefixes already staged at the agents for this window and waiting for its `from` (an upcoming
   * window's group is sent ahead; opening it sends nothing). 0 once live: they count as enforced.
   */
  stagedEntries: number
  /** Domain names its group blocks at the resolvers: enforced now, and staged ahead of its `from`. */
  enforcedNames: number
  stagedNames: number
}

export type Severity = 'ok' | 'warn' | 'bad'

/** Compliance of the latest activations (window opens/closes) an agent had to apply. */
export interface ComplianceCounts {
  onTime: number
  late: number
  missing: number
}

export interface AgentView {
  id: string
  /** The agent's backend from its hello (`nftables`, `flowspec`, `dry-run`…); null if it named none. */
  backend: string | null
  /** False for dry-run agents and agents naming no backend: they enforce nothing. */
  enforcing: boolean
  version: string | null
  /** Agent clock minus gateway clock (ms), where the agent reports it. */
  clockOffsetMs?: number
  /** The agent's clock alarm: past its bound, it switches every window that much early or late. */
  clockSkewed?: boolean
  /** Messages the agent refused (its safety net or a bad signature), where it reports them. */
  refused?: number
  /** Domain names the agent's resolver enforces, where it runs a DNS backend. */
  enforcedNames?: number
  connected: boolean
  lastAckRevision: number | null
  /** Revisions behind the current one; null when the agent never acknowledged any. */
  lag: number | null
  lastSeenAt: number | null
  compliance: ComplianceCounts
  severity: Severity
  /** Why the severity is not ok, in words (e.g. "disconnected", "3 revisions behind"). */
  problems: string[]
}

/** One ISP and its agents, worst agent first. */
export interface IspView {
  isp: string
  agents: AgentView[]
  severity: Severity
  /** Its agents by severity, for the one-line summary. */
  counts: Record<Severity, number>
  /** The worst agent's problems, in words. */
  worst: string[]
}

export interface HeldReasonView {
  code: string
  message: string
}

/** An entry the overblocking guard held for review. */
export interface HeldView {
  id: string
  target: string
  rightsholder: string
  week: string
  heldAt: number
  reasons: HeldReasonView[]
  /** Autonomous systems announcing the target when it was held (absent without an ASN database). */
  announcedBy?: { asn: number; organisation: string }[]
}

/** A revision the circuit breaker held as a whole until ops approve it. */
export interface BreakerHoldView {
  id: string
  heldAt: number
  message: string
  /** The change that tripped it ("list-upload") and the latest one folded in. */
  cause: string
  latestCause: string
  /** Recomputes folded into the hold. */
  recomputes: number
  /** Addresses (v4) and /48s (v6) enforced now, and what the held revision would enforce. */
  previous: { v4Addresses: number; v6Prefixes48: number }
  next: { v4Addresses: number; v6Prefixes48: number }
  /** Growth on the family that grew most; null when from nothing. */
  factor: number | null
  /** Prefixes the held revision adds. */
  added: number
}

export interface ComplaintView {
  id: string
  target: string
  reason: string
  filedAt: number
  status: string
}

/**
 * Entries under surveillance (SPEC rule 3; UK orders: "monitored, not blocked"): in the
 * rightsholder's list for `lastListed`, no longer in its list for `week`. Visible, not enforced.
 */
export interface SurveillanceView {
  rightsholder: string
  week: string
  /** The week the entries were last listed in (the week before `week`). */
  lastListed: string
  total: number
  /** The first entries (all of them up to a few hundred), in display form. */
  entries: string[]
}

/** One revision in the timeline, newest first. */
export interface TimelineItem {
  revision: number
  issuedAt: number
  cause: string
  /** The cause in the task force's words: "window opened: Inter – Milan". */
  label: string
}

export interface DashboardView {
  generatedAt: number
  revision: number
  windows: { live: WindowView[]; upcoming: WindowView[] }
  /** What is enforced now; `enforcedNames` counts each domain name once. */
  totals: { enforcedEntries: number; enforcedAddresses: AddressCounts; enforcedNames: number }
  isps: IspView[]
  /** ISPs by their worst agent's severity. */
  ispCounts: Record<Severity, number>
  guard: { held: HeldView[]; breaker: BreakerHoldView[] }
  complaints: ComplaintView[]
  /** Per rightsholder and week, rightsholder first. */
  surveillance: SurveillanceView[]
  timeline: TimelineItem[]
  /** Parts the server could not read this time (shown as a warning instead of stale data). */
  unavailable: string[]
}

/** Who is signed in, as the page needs it (complaints are decided by the authority only). */
export interface SessionView {
  org: string
  role: 'ops' | 'authority'
}
