/**
 * Builds the dashboard's view model from what the read side gathered. Pure: no I/O, no clock
 * (`now` comes in), so every rule the task force relies on (which window is live, which ISP is
 * worst) is unit-tested here.
 */
import {
  type Competition,
  displayPrefix,
  type EnforcementGroup,
  eventWindow,
  type MatchEvent,
  PrefixSet,
} from '@offside/core'
import type {
  AddressCounts,
  AgentView,
  BreakerHoldView,
  ComplaintView,
  DashboardView,
  HeldView,
  IspView,
  Severity,
  SurveillanceView,
  TimelineItem,
  WindowView,
} from './view.js'

/** An enforcement group as the snapshot holds it (docs/architecture.md, core's groups.ts). */
export type GroupInput = EnforcementGroup

/** What the dashboard knows about one edge agent. */
export interface AgentInput
  extends Pick<
    AgentView,
    | 'id'
    | 'backend'
    | 'version'
    | 'clockOffsetMs'
    | 'clockSkewed'
    | 'refused'
    | 'enforcedNames'
    | 'connected'
    | 'lastAckRevision'
    | 'lastSeenAt'
  > {
  isp: string
  /** The latest activations this agent had to apply, newest first. */
  activations: { status: 'on-time' | 'late' | 'missing' }[]
}

export interface RevisionInput {
  revision: number
  issuedAt: number
  cause: { kind: string; event?: string; complaint?: string; prefixes?: string[]; rightsholder?: string }
}

/** Everything the view is built from, read at one instant. */
export interface DashboardInputs {
  now: number
  revision: number
  groups: GroupInput[]
  competitions: Competition[]
  events: MatchEvent[]
  agents: AgentInput[]
  held: HeldView[]
  breaker: BreakerHoldView[]
  complaints: ComplaintView[]
  surveillance: SurveillanceView[]
  revisions: RevisionInput[]
  unavailable: string[]
}

/** How far ahead "next" looks: the rest of a match day and the night after it. */
export const UPCOMING_HORIZON_MS = 24 * 3600_000
/** How many of the latest activations count for compliance. */
export const COMPLIANCE_WINDOW = 10
/** An agent this many revisions behind is shown as failing, not just lagging. */
export const BAD_LAG = 3
export const TIMELINE_LENGTH = 25

/** Addresses covered by prefixes, per family, as decimal strings (IPv6 counts exceed 2^53). */
export function addressCount(prefixes: Iterable<string>): AddressCounts {
  const set = PrefixSet.from(prefixes)
  return { v4: set.addressCount(4).toString(), v6: set.addressCount(6).toString() }
}

// Counting a 100k-prefix group takes a while and the view is rebuilt every poll, while groups
// change only with a revision: the reader hands back the same group objects until then, so the
// counts are remembered per object. Same input, same output: the builder stays a pure function.
const groupCounts = new WeakMap<GroupInput, AddressCounts>()
const activeTotals = new WeakMap<GroupInput[], { key: string; entries: number; addresses: AddressCounts }>()

function countGroup(group: GroupInput): AddressCounts {
  let counts = groupCounts.get(group)
  if (!counts) {
    counts = addressCount(group.prefixes)
    groupCounts.set(group, counts)
  }
  return counts
}

/** What the active groups enforce together: one prefix listed for two events counts once. */
function countActive(
  groups: GroupInput[],
  active: GroupInput[],
): { entries: number; addresses: AddressCounts } {
  const key = active.map((g) => g.id).join('\n')
  const memo = activeTotals.get(groups)
  if (memo?.key === key) return memo
  const cover = PrefixSet.from(active.flatMap((g) => g.prefixes))
  const totals = {
    key,
    entries: cover.toPrefixes().length,
    addresses: { v4: cover.addressCount(4).toString(), v6: cover.addressCount(6).toString() },
  }
  activeTotals.set(groups, totals)
  return totals
}

/** Distinct domain names the groups block. */
function nameCount(groups: GroupInput[]): number {
  return new Set(groups.flatMap((g) => g.names ?? [])).size
}

function sumCounts(counts: AddressCounts[]): AddressCounts {
  let v4 = 0n
  let v6 = 0n
  for (const c of counts) {
    v4 += BigInt(c.v4)
    v6 += BigInt(c.v6)
  }
  return { v4: v4.toString(), v6: v6.toString() }
}

function windows(inputs: DashboardInputs): { live: WindowView[]; upcoming: WindowView[] } {
  const competitions = new Map(inputs.competitions.map((c) => [c.id, c]))
  const groups = new Map<string, GroupInput[]>()
  for (const group of inputs.groups) groups.set(group.event, [...(groups.get(group.event) ?? []), group])
  const live: WindowView[] = []
  const upcoming: WindowView[] = []
  for (const event of inputs.events) {
    const competition = competitions.get(event.competition)
    if (!competition) continue
    const window = eventWindow(event, competition)
    if (!window) continue
    const isLive = window.opensAt <= inputs.now && inputs.now < window.closesAt
    const isNext = window.opensAt > inputs.now && window.opensAt <= inputs.now + UPCOMING_HORIZON_MS
    if (!isLive && !isNext) continue
    // Counts say what agents enforce now, so only groups active at `now` count.
    const eventGroups = groups.get(event.id) ?? []
    const active = eventGroups.filter((g) => g.from <= inputs.now && inputs.now < g.until)
    const staged = eventGroups.filter((g) => g.from > inputs.now)
    const view: WindowView = {
      event: event.id,
      title: event.title ?? event.id,
      competition: competition.name,
      opensAt: window.opensAt,
      closesAt: window.closesAt,
      week: window.week,
      // Groups are minimal covers and an event has one group: entries are its prefixes.
      enforcedEntries: active.reduce((n, g) => n + g.prefixes.length, 0),
      enforcedAddresses: sumCounts(active.map(countGroup)),
      stagedEntries: staged.reduce((n, g) => n + g.prefixes.length, 0),
      enforcedNames: nameCount(active),
      stagedNames: nameCount(staged),
    }
    ;(isLive ? live : upcoming).push(view)
  }
  live.sort((a, b) => a.closesAt - b.closesAt || a.event.localeCompare(b.event))
  upcoming.sort((a, b) => a.opensAt - b.opensAt || a.event.localeCompare(b.event))
  return { live, upcoming }
}

const rank: Record<Severity, number> = { bad: 0, warn: 1, ok: 2 }

function agentView(agent: AgentInput, revision: number): AgentView {
  const recent = agent.activations.slice(0, COMPLIANCE_WINDOW)
  const compliance = {
    onTime: recent.filter((a) => a.status === 'on-time').length,
    late: recent.filter((a) => a.status === 'late').length,
    missing: recent.filter((a) => a.status === 'missing').length,
  }
  const lag = agent.lastAckRevision === null ? null : Math.max(0, revision - agent.lastAckRevision)
  const problems: string[] = []
  let severity: Severity = 'ok'
  const worsen = (to: Severity, problem: string) => {
    problems.push(problem)
    if (rank[to] < rank[severity]) severity = to
  }
  const enforcing = agent.backend !== null && agent.backend !== 'dry-run'
  if (!agent.connected) worsen('bad', 'disconnected')
  if (!enforcing) worsen('warn', agent.backend === 'dry-run' ? 'dry-run: not enforcing' : 'no backend named')
  if (lag === null && revision > 0) worsen('bad', 'never acknowledged')
  else if (lag !== null && lag >= BAD_LAG) worsen('bad', `${lag} revisions behind`)
  else if (lag !== null && lag > 0) worsen('warn', `${lag} revision${lag === 1 ? '' : 's'} behind`)
  if (compliance.missing > 0) worsen('bad', `${compliance.missing} missing`)
  if (compliance.late > 0) worsen('warn', `${compliance.late} late`)
  // A skewed clock opens and closes every window early or late: a block outside its window.
  if (agent.clockSkewed && agent.clockOffsetMs !== undefined) worsen('bad', clockWords(agent.clockOffsetMs))
  return {
    id: agent.id,
    backend: agent.backend,
    enforcing,
    version: agent.version,
    ...(agent.clockOffsetMs !== undefined ? { clockOffsetMs: agent.clockOffsetMs } : {}),
    ...(agent.clockSkewed ? { clockSkewed: true } : {}),
    ...(agent.refused !== undefined ? { refused: agent.refused } : {}),
    ...(agent.enforcedNames !== undefined ? { enforcedNames: agent.enforcedNames } : {}),
    connected: agent.connected,
    lastAckRevision: agent.lastAckRevision,
    lag,
    lastSeenAt: agent.lastSeenAt,
    compliance,
    severity,
    problems,
  }
}

/** "clock 20.0 s ahead" / "clock 3.5 s behind" (agent clock against the gateway's). */
export function clockWords(offsetMs: number): string {
  return `clock ${(Math.abs(offsetMs) / 1000).toFixed(1)} s ${offsetMs >= 0 ? 'ahead' : 'behind'}`
}

function byWorst(a: AgentView, b: AgentView): number {
  return (
    rank[a.severity] - rank[b.severity] ||
    Number(a.connected) - Number(b.connected) ||
    (b.lag ?? Number.MAX_SAFE_INTEGER) - (a.lag ?? Number.MAX_SAFE_INTEGER) ||
    b.compliance.missing - a.compliance.missing ||
    b.compliance.late - a.compliance.late ||
    a.id.localeCompare(b.id)
  )
}

/** ISPs with their agents, the worst ISP (by its worst agent) first. */
function isps(inputs: DashboardInputs): IspView[] {
  const grouped = new Map<string, AgentView[]>()
  for (const agent of inputs.agents) {
    grouped.set(agent.isp, [...(grouped.get(agent.isp) ?? []), agentView(agent, inputs.revision)])
  }
  const views = [...grouped].map(([isp, agents]): IspView => {
    agents.sort(byWorst)
    const counts = { bad: 0, warn: 0, ok: 0 }
    for (const agent of agents) counts[agent.severity]++
    return { isp, agents, severity: agents[0]?.severity ?? 'ok', counts, worst: agents[0]?.problems ?? [] }
  })
  return views.sort(
    (a, b) =>
      (a.agents[0] && b.agents[0] ? byWorst(a.agents[0], b.agents[0]) : 0) || a.isp.localeCompare(b.isp),
  )
}

const causeWords: Record<string, string> = {
  'window-open': 'window opened',
  'window-close': 'window closed',
  'list-upload': 'weekly list uploaded',
  'hot-addition': 'hot addition',
  'complaint-upheld': 'complaint upheld',
  'order-suspended': 'order suspended',
  'order-resumed': 'order resumed',
  'guard-change': 'guard change',
  rotation: 'weekly rotation',
  'event-change': 'event changed',
  'catch-up': 'catch-up',
}

function timeline(inputs: DashboardInputs): TimelineItem[] {
  const titles = new Map(inputs.events.map((e) => [e.id, e.title ?? e.id]))
  return [...inputs.revisions]
    .sort((a, b) => b.revision - a.revision)
    .slice(0, TIMELINE_LENGTH)
    .map((r) => {
      const details: string[] = []
      if (r.cause.event) details.push(titles.get(r.cause.event) ?? r.cause.event)
      if (r.cause.rightsholder) details.push(r.cause.rightsholder)
      if (r.cause.prefixes?.length) {
        const shown = r.cause.prefixes.slice(0, 3).map(displayPrefix).join(', ')
        details.push(r.cause.prefixes.length > 3 ? `${shown} +${r.cause.prefixes.length - 3}` : shown)
      }
      if (r.cause.complaint) details.push(`complaint ${r.cause.complaint}`)
      const words = causeWords[r.cause.kind] ?? r.cause.kind
      return {
        revision: r.revision,
        issuedAt: r.issuedAt,
        cause: r.cause.kind,
        label: details.length ? `${words}: ${details.join(' · ')}` : words,
      }
    })
}

/** The whole view the browsers render, built from one consistent read. */
export function buildView(inputs: DashboardInputs): DashboardView {
  const w = windows(inputs)
  const active = inputs.groups.filter((g) => g.from <= inputs.now && inputs.now < g.until)
  const enforced = countActive(inputs.groups, active)
  const ispViews = isps(inputs)
  return {
    generatedAt: inputs.now,
    revision: inputs.revision,
    windows: w,
    totals: {
      enforcedEntries: enforced.entries,
      enforcedAddresses: enforced.addresses,
      enforcedNames: nameCount(active),
    },
    isps: ispViews,
    ispCounts: {
      bad: ispViews.filter((i) => i.severity === 'bad').length,
      warn: ispViews.filter((i) => i.severity === 'warn').length,
      ok: ispViews.filter((i) => i.severity === 'ok').length,
    },
    guard: {
      held: [...inputs.held].sort((a, b) => a.heldAt - b.heldAt || a.id.localeCompare(b.id)),
      breaker: [...inputs.breaker].sort((a, b) => a.heldAt - b.heldAt),
    },
    complaints: inputs.complaints
      .filter((c) => c.status === 'open')
      .sort((a, b) => a.filedAt - b.filedAt || a.id.localeCompare(b.id)),
    surveillance: inputs.surveillance,
    timeline: timeline(inputs),
    unavailable: inputs.unavailable,
  }
}
