/**
 * What agents enforce at one instant, read from the published snapshot (SPEC rules 5, 14), with
 * the provenance the stored inputs give it. The snapshot is the truth: agents switch groups on and
 * off by their own clocks from it, whatever the stored lists say. The stored inputs only explain
 * it (provenance) and show what is justified but not published yet (pending: a circuit-breaker
 * hold, a scheduler that is down or behind).
 */
import {
  activeAt,
  type EnforcedEntry,
  type EnforcementGroup,
  type EventWindow,
  PrefixSet,
  type Provenance,
  RangeIndex,
} from '@offside/core'

/** One enforced prefix: published in an active group, explained by the stored inputs when they justify it. */
export interface StateEntry {
  prefix: string
  /** When agents stop enforcing it by themselves: the latest `until` of the active groups holding it. */
  until: number
  /** The events whose published groups hold it now. */
  events: string[]
  /** Why it is enforced, from the stored inputs, restricted to those events; empty when they no longer justify it. */
  provenance: Provenance[]
  /** False for a prefix published but no longer justified by the stored inputs (the next revision drops it). */
  justified: boolean
}

/** A prefix the stored inputs justify now but no active published group holds: not enforced. */
export interface PendingEntry {
  prefix: string
  /** The `until` it would get from the stored inputs. */
  until: number
  provenance: Provenance[]
}

export interface PublishedView {
  /** Windows whose published group is active and not yet in its grace. */
  live: EventWindow[]
  /** Prefixes agents enforce now (the enforcement plan of the active groups). */
  enforcedCount: number
  /** Enforced entries, justified ones in the stored inputs' order, then unjustified ones. */
  entries: StateEntry[]
  pending: PendingEntry[]
}

interface GroupPrefix {
  prefix: string
  length: number
  group: EnforcementGroup
}

const lengthOf = (prefix: string) => Number(prefix.slice(prefix.indexOf('/') + 1))

function isActive(group: EnforcementGroup, now: number): boolean {
  return group.from <= now && now < group.until
}

/** Events and latest until of the active group prefixes among `hits`. */
function publishedBy(hits: GroupPrefix[]): { events: string[]; until: number } {
  const events = new Set<string>()
  let until = 0
  for (const hit of hits) {
    events.add(hit.group.event)
    until = Math.max(until, hit.group.until)
  }
  return { events: [...events].sort(), until }
}

function enforced(prefix: string, hits: GroupPrefix[], provenance: Provenance[]): StateEntry {
  const { events, until } = publishedBy(hits)
  const mine = provenance.filter((p) => events.includes(p.event))
  return { prefix, until, events, provenance: mine, justified: mine.length > 0 }
}

/**
 * Reconciles the published groups with the stored inputs' effective state at `now`.
 *
 * @param groups the snapshot's groups (active ones are those with `from ≤ now < until`)
 * @param justified the effective state's entries at `now` (core `computeEffectiveState`)
 * @param windows windows known by event (from the snapshot and the stored calendar), for the live view
 * @param graceMs how long groups outlast their window, to tell a live window from one in its grace
 */
export function publishedView(options: {
  groups: EnforcementGroup[]
  justified: EnforcedEntry[]
  windows: Map<string, EventWindow>
  now: number
  graceMs: number
}): PublishedView {
  const { now, graceMs } = options
  const active = options.groups.filter((group) => isActive(group, now))
  const published = new RangeIndex<GroupPrefix>(
    active.flatMap((group) =>
      group.prefixes.map((prefix) => ({ prefix, value: { prefix, length: lengthOf(prefix), group } })),
    ),
  )

  const entries: StateEntry[] = []
  const pending: PendingEntry[] = []
  for (const entry of options.justified) {
    const hits = published.overlapping(entry.prefix)
    if (hits.length === 0) {
      pending.push({ prefix: entry.prefix, until: entry.until, provenance: entry.provenance })
      continue
    }
    // Overlapping CIDR prefixes are nested, so a published one no longer than it contains it: the common case.
    const length = lengthOf(entry.prefix)
    if (hits.some((hit) => hit.length <= length)) {
      entries.push(enforced(entry.prefix, hits, entry.provenance))
      continue
    }
    // Only parts of it are published (e.g. the breaker let through what was already enforced).
    const whole = PrefixSet.from([entry.prefix])
    const inside = whole.intersect(PrefixSet.from(hits.map((hit) => hit.prefix)))
    if (inside.equals(whole)) entries.push(enforced(entry.prefix, hits, entry.provenance))
    else {
      for (const piece of inside.toPrefixes()) {
        entries.push(enforced(piece, published.overlapping(piece), entry.provenance))
      }
      for (const piece of whole.subtract(inside).toPrefixes()) {
        pending.push({ prefix: piece, until: entry.until, provenance: entry.provenance })
      }
    }
  }

  // Published space the inputs no longer justify (a revocation, suspension or shrunk list not yet
  // published): still enforced by agents until the next revision or the group's until.
  const justifiedIndex = new RangeIndex(
    options.justified.map((entry) => ({ prefix: entry.prefix, value: lengthOf(entry.prefix) })),
  )
  const unexplained = active.flatMap((group) =>
    group.prefixes.filter((prefix) => {
      const length = lengthOf(prefix)
      return !justifiedIndex.overlapping(prefix).some((justifiedLength) => justifiedLength <= length)
    }),
  )
  if (unexplained.length > 0) {
    const rest = PrefixSet.from(unexplained).subtract(
      PrefixSet.from(options.justified.map((entry) => entry.prefix)),
    )
    for (const piece of rest.toPrefixes()) entries.push(enforced(piece, published.overlapping(piece), []))
  }

  const live = active
    .filter((group) => now < group.until - graceMs)
    .map((group) => {
      const known = options.windows.get(group.event)
      return {
        event: group.event,
        competition: known?.competition ?? '',
        week: known?.week ?? '',
        opensAt: group.from,
        closesAt: group.until - graceMs,
      }
    })
    .sort((a, b) => a.opensAt - b.opensAt || a.event.localeCompare(b.event))

  return { live, enforcedCount: activeAt(active, now).length, entries, pending }
}

/** The first instant after `now` at which an active group ends or a staged one starts (or its window closes). */
export function nextGroupBoundary(
  groups: EnforcementGroup[],
  now: number,
  graceMs: number,
  limit: number,
): number {
  let next = limit
  for (const group of groups) {
    for (const instant of [group.from, group.until - graceMs, group.until]) {
      if (instant > now && instant < next) next = instant
    }
  }
  return next
}
