import type { EnforcementGroup } from './groups.js'
import { carveNames, RevokedNames } from './name-sets.js'
import { PrefixSet } from './prefix-set.js'
import { seasonOf } from './season.js'
import { type Competition, type EventWindow, type MatchEvent, previousWeek } from './time.js'
import { eventWindow } from './window.js'

/** An authority's order: one rightsholder, one season, one or more competitions (SPEC rule 1). */
export interface Order {
  id: string
  rightsholder: string
  competitions: string[]
  season: string
  reference: string
  suspended: boolean
  /** The order allows wildcard names (`*.example.org`); absent means it does not. */
  allowWildcards?: boolean
}

/** A rightsholder's list for one ISO week; prefixes and names are guard-approved and canonical. */
export interface WeeklyList {
  rightsholder: string
  week: string
  prefixes: string[]
  /** Canonical names and `*.x` wildcards (see names.ts); absent when the list has none. */
  names?: string[]
}

/**
 * An upheld complaint's carve-out: the address space, or the name, leaves every order's lists, or
 * only `order`'s. A revoked name also lifts every listed wildcard that would block it.
 */
export interface Revocation {
  /** Canonical CIDR; exactly one of `prefix` and `name` is set. */
  prefix?: string
  /** Canonical name or `*.x` wildcard. */
  name?: string
  order?: string
}

/** Why an entry is enforced: this order's rightsholder listed it for this week, used by this live event. */
export interface Provenance {
  order: string
  rightsholder: string
  week: string
  event: string
}

/** A prefix enforced now, until the latest end (+ grace) of the live windows that justify it. */
export interface EnforcedEntry {
  prefix: string
  until: number
  provenance: Provenance[]
}

/** A name (or wildcard) enforced now, as {@link EnforcedEntry} is for a prefix. */
export interface EnforcedName {
  name: string
  until: number
  provenance: Provenance[]
}

/** Everything the effective state depends on; `now` is passed in because core never reads a clock. */
export interface StateInputs {
  now: number
  graceMs: number
  competitions: Competition[]
  events: MatchEvent[]
  orders: Order[]
  lists: WeeklyList[]
  revocations: Revocation[]
}

/** What one order contributes to one window: its rightsholder's list for the week, minus revocations. */
export interface WindowSource {
  order: Order
  prefixes: string[]
  names: string[]
}

const byOpening = (a: EventWindow, b: EventWindow) => a.opensAt - b.opensAt || compareText(a.event, b.event)

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Indexes the inputs once so that each window's sources are cheap to find. Revocation sets are
 * built per order on first use: most orders share the global set.
 */
export class StateIndex {
  readonly #competitions = new Map<string, Competition>()
  readonly #events = new Map<string, MatchEvent>()
  readonly #lists = new Map<string, string[]>()
  readonly #listParts = new Map<string, string[][]>()
  readonly #names = new Map<string, string[]>()
  readonly #revokedEverywhere: PrefixSet
  readonly #revokedByOrder = new Map<string, string[]>()
  readonly #revokedCache = new Map<string, PrefixSet>()
  readonly #carvedCache = new Map<string, string[]>()
  readonly #namesRevokedEverywhere: RevokedNames
  readonly #namesRevokedByOrder = new Map<string, string[]>()
  readonly #carvedNamesCache = new Map<string, string[]>()
  readonly windows: EventWindow[] = []

  constructor(readonly inputs: StateInputs) {
    for (const competition of inputs.competitions) this.#competitions.set(competition.id, competition)
    for (const event of inputs.events) {
      this.#events.set(event.id, event)
      const competition = this.#competitions.get(event.competition)
      // An event of an unknown competition has no zone or defaults, so it cannot open a window.
      const window = competition ? eventWindow(event, competition) : null
      if (window) this.windows.push(window)
    }
    this.windows.sort(byOpening)
    for (const list of inputs.lists) {
      const key = listKey(list.rightsholder, list.week)
      const held = this.#lists.get(key)
      // Several lists for one rightsholder and week (e.g. hot additions kept apart) add up.
      this.#lists.set(key, held ? held.concat(list.prefixes) : list.prefixes)
      const parts = this.#listParts.get(key)
      if (parts) parts.push(list.prefixes)
      else this.#listParts.set(key, [list.prefixes])
      if (list.names && list.names.length > 0) {
        const names = this.#names.get(key)
        this.#names.set(key, names ? names.concat(list.names) : list.names)
      }
    }
    const everywhere: string[] = []
    const namesEverywhere: string[] = []
    for (const revocation of inputs.revocations) {
      const [target, all, byOrder] =
        revocation.prefix !== undefined
          ? [revocation.prefix, everywhere, this.#revokedByOrder]
          : [revocation.name, namesEverywhere, this.#namesRevokedByOrder]
      if (target === undefined) continue
      if (revocation.order === undefined) all.push(target)
      else {
        const own = byOrder.get(revocation.order)
        if (own) own.push(target)
        else byOrder.set(revocation.order, [target])
      }
    }
    this.#revokedEverywhere = PrefixSet.from(everywhere)
    this.#namesRevokedEverywhere = new RevokedNames(namesEverywhere)
  }

  /** The names of `rightsholder`'s lists for `week`, empty when none. */
  listNames(rightsholder: string, week: string): string[] {
    return this.#names.get(listKey(rightsholder, week)) ?? []
  }

  /** The names revoked for `order`: revocations for every order plus its own. */
  revokedNamesFor(order: string): RevokedNames {
    const own = this.#namesRevokedByOrder.get(order)
    return own ? this.#namesRevokedEverywhere.union(new RevokedNames(own)) : this.#namesRevokedEverywhere
  }

  /** The names `order` enforces for `week`: its rightsholder's, minus revoked, wildcards only if allowed. */
  carvedNames(order: Order, week: string): string[] {
    const key = listKey(order.id, week)
    let names = this.#carvedNamesCache.get(key)
    if (!names) {
      names = carveNames(
        this.listNames(order.rightsholder, week),
        this.revokedNamesFor(order.id),
        order.allowWildcards === true,
      )
      this.#carvedNamesCache.set(key, names)
    }
    return names
  }

  /** The list of `rightsholder` for `week`, empty when none was uploaded. */
  list(rightsholder: string, week: string): string[] {
    return this.#lists.get(listKey(rightsholder, week)) ?? []
  }

  /** The lists of `rightsholder` for `week` as given in the inputs (same arrays), before adding up. */
  listParts(rightsholder: string, week: string): string[][] {
    return this.#listParts.get(listKey(rightsholder, week)) ?? []
  }

  /** The address space revoked for `order`: revocations for every order plus its own. */
  revokedFor(order: string): PrefixSet {
    const own = this.#revokedByOrder.get(order)
    if (!own) return this.#revokedEverywhere
    let revoked = this.#revokedCache.get(order)
    if (!revoked) {
      revoked = this.#revokedEverywhere.union(PrefixSet.from(own))
      this.#revokedCache.set(order, revoked)
    }
    return revoked
  }

  /** Non-suspended orders covering the window's competition for the season of its kickoff. */
  eligibleOrders(window: EventWindow): Order[] {
    const event = this.#events.get(window.event)
    const competition = this.#competitions.get(window.competition)
    if (!event || !competition) return []
    const season = seasonOf(event.kickoff, competition)
    return this.inputs.orders.filter(
      (order) =>
        !order.suspended && order.season === season && order.competitions.includes(window.competition),
    )
  }

  /**
   * Each eligible order with its rightsholder's list for the window's week minus what is revoked
   * for that order; orders whose rightsholder has no list that week are left out.
   */
  sources(window: EventWindow): WindowSource[] {
    const sources: WindowSource[] = []
    for (const order of this.eligibleOrders(window)) {
      const prefixes = this.#carved(order, window.week)
      const names = this.carvedNames(order, window.week)
      if (prefixes.length > 0 || names.length > 0) sources.push({ order, prefixes, names })
    }
    return sources
  }

  // A matchday has many windows in one week: each order's list is carved once for all of them.
  #carved(order: Order, week: string): string[] {
    const key = listKey(order.id, week)
    let prefixes = this.#carvedCache.get(key)
    if (!prefixes) {
      prefixes = carve(this.list(order.rightsholder, week), this.revokedFor(order.id))
      this.#carvedCache.set(key, prefixes)
    }
    return prefixes
  }
}

function listKey(rightsholder: string, week: string): string {
  return `${rightsholder}\u0000${week}`
}

/**
 * Removes the revoked address space from listed prefixes, keeping the rest of a partly revoked
 * prefix as smaller prefixes (203.0.113.0/24 minus 203.0.113.7/32 leaves eight prefixes).
 * Prefixes untouched by a revocation keep their listed form; duplicates are dropped.
 */
export function carve(prefixes: string[], revoked: PrefixSet): string[] {
  const kept = new Set<string>()
  const nothingRevoked = revoked.isEmpty()
  for (const prefix of prefixes) {
    if (nothingRevoked || !revoked.overlaps(prefix)) kept.add(prefix)
    else if (!revoked.contains(prefix)) {
      for (const piece of PrefixSet.from([prefix]).subtract(revoked).toPrefixes()) kept.add(piece)
    }
  }
  return [...kept]
}

/** Windows live at `now` (`opensAt ≤ now < closesAt`), earliest opening first. */
export function liveWindows(inputs: StateInputs): EventWindow[] {
  return new StateIndex(inputs).windows.filter((w) => isLive(w, inputs.now))
}

/** Windows not open yet that open before `now + horizonMs`, earliest first. */
export function upcomingWindows(inputs: StateInputs, horizonMs: number): EventWindow[] {
  return new StateIndex(inputs).windows.filter((w) => isUpcoming(w, inputs.now, horizonMs))
}

/** Windows whose entries are enforced at `now`: live, or closed less than `graceMs` ago. */
export function enforcingWindows(inputs: StateInputs): EventWindow[] {
  return new StateIndex(inputs).windows.filter((w) => isEnforcing(w, inputs.now, inputs.graceMs))
}

/** The window itself is under way: `opensAt ≤ now < closesAt` (what the dashboard and API call live). */
export function isLive(window: EventWindow, now: number): boolean {
  return window.opensAt <= now && now < window.closesAt
}

/**
 * The window's entries are enforced: `opensAt ≤ now < closesAt + graceMs` (SPEC rule 5). A
 * recompute during the grace must keep what agents were told to enforce until `until`, or a
 * hot addition just after the final whistle would cut the block short.
 */
export function isEnforcing(window: EventWindow, now: number, graceMs: number): boolean {
  return window.opensAt <= now && now < window.closesAt + graceMs
}

export function isUpcoming(window: EventWindow, now: number, horizonMs: number): boolean {
  return now < window.opensAt && window.opensAt < now + horizonMs
}

/**
 * The effective state at `inputs.now` (SPEC rules 4, 5): `live` lists the windows under way, and
 * the entries are every prefix some eligible order's list holds for the week of a window that is
 * live or still in its grace, minus revocations, with its provenance and `until` = the latest
 * `closesAt` of the windows justifying it + grace. Entries keep the prefix as listed (or the pieces
 * left by a revocation), so two rightsholders listing one prefix give one entry with both
 * provenances, and suspending one order leaves the other's. Entries are sorted by prefix text.
 */
export function computeEffectiveState(inputs: StateInputs): {
  live: EventWindow[]
  entries: EnforcedEntry[]
  /** Names enforced now, the same way (sorted by name). */
  names: EnforcedName[]
} {
  const index = new StateIndex(inputs)
  const live = index.windows.filter((w) => isLive(w, inputs.now))
  const entries = new Map<string, EnforcedEntry>()
  const names = new Map<string, EnforcedName>()
  for (const window of index.windows) {
    if (!isEnforcing(window, inputs.now, inputs.graceMs)) continue
    const until = window.closesAt + inputs.graceMs
    for (const source of index.sources(window)) {
      const provenance: Provenance = {
        order: source.order.id,
        rightsholder: source.order.rightsholder,
        week: window.week,
        event: window.event,
      }
      for (const prefix of source.prefixes) {
        const entry = entries.get(prefix)
        if (!entry) entries.set(prefix, { prefix, until, provenance: [provenance] })
        else {
          entry.until = Math.max(entry.until, until)
          entry.provenance.push(provenance)
        }
      }
      for (const name of source.names) {
        const entry = names.get(name)
        if (!entry) names.set(name, { name, until, provenance: [provenance] })
        else {
          entry.until = Math.max(entry.until, until)
          entry.provenance.push(provenance)
        }
      }
    }
  }
  return {
    live,
    entries: [...entries.values()].sort((a, b) => compareText(a.prefix, b.prefix)),
    names: [...names.values()].sort((a, b) => compareText(a.name, b.name)),
  }
}

/**
 * Prefixes of `rightsholder`'s list for the week before `week` that `week`'s list no longer holds
 * (SPEC rule 3: "monitored, not blocked"). Judged by address space: a prefix still covered by a
 * broader one this week is not under surveillance, and one partly covered leaves its remainder.
 */
export function surveillance(inputs: StateInputs, rightsholder: string, week: string): string[] {
  const index = new StateIndex({ ...inputs, events: [], revocations: [] })
  const current = PrefixSet.from(index.list(rightsholder, week))
  return carve(index.list(rightsholder, previousWeek(week)), current)
}

/**
 * One enforcement group per window enforcing at `now` (live or in its grace) or opening within
 * `horizonMs` (docs/architecture.md, "Enforcement model"): id `w:<eventId>`, enforced from the window's opening until its close +
 * grace, holding the minimal cover of every eligible order's list for the window's week minus
 * revocations. A window with nothing listed still gets an (empty) group, so a later upload patches
 * it rather than creating it. Windows of one matchday share their week and orders, so their cover
 * is computed once.
 */
export function computeGroups(
  inputs: StateInputs,
  horizonMs: number,
  cover: CoverFunction = minimalCover,
): EnforcementGroup[] {
  const index = new StateIndex(inputs)
  const covers = new Map<string, string[]>()
  const nameSets = new Map<string, string[]>()
  const groups: EnforcementGroup[] = []
  for (const window of index.windows) {
    if (!isEnforcing(window, inputs.now, inputs.graceMs) && !isUpcoming(window, inputs.now, horizonMs))
      continue
    const orders = index.eligibleOrders(window)
    const key = [window.week, ...orders.map((order) => order.id)].join('\u0000')
    let prefixes = covers.get(key)
    if (!prefixes) {
      const parts = orders.map((order) => ({
        lists: index.listParts(order.rightsholder, window.week),
        revoked: index.revokedFor(order.id),
      }))
      prefixes = cover(key, parts)
      covers.set(key, prefixes)
    }
    let names = nameSets.get(key)
    if (!names) {
      names = groupNames(orders.map((order) => index.carvedNames(order, window.week)))
      nameSets.set(key, names)
    }
    const group: EnforcementGroup = {
      id: `w:${window.event}`,
      event: window.event,
      from: window.opensAt,
      until: window.closesAt + inputs.graceMs,
      prefixes: [...prefixes],
    }
    if (names.length > 0) group.names = [...names]
    groups.push(group)
  }
  return groups
}

/** A group's `names`: the union of its orders' names, sorted ascending (code unit order), no duplicates. */
function groupNames(perOrder: string[][]): string[] {
  if (perOrder.every((names) => names.length === 0)) return []
  return [...new Set(perOrder.flat())].sort()
}

/** One eligible order's share of a group: its rightsholder's lists for the week, minus `revoked`. */
export interface CoverPart {
  /** The week's lists as given in the inputs (the same arrays each time they are unchanged). */
  lists: readonly string[][]
  revoked: PrefixSet
}

/**
 * Computes a group's prefixes: the minimal cover of the union over `parts` of their lists minus
 * their revocations. `key` names the week and orders. A caller recomputing often (the scheduler)
 * may pass one that caches by `key` and by list identity; it must give what {@link minimalCover}
 * gives, in the same order.
 */
export type CoverFunction = (key: string, parts: CoverPart[]) => string[]

/** The plain {@link CoverFunction}: set algebra from scratch. */
export function minimalCover(_key: string, parts: CoverPart[]): string[] {
  let union = PrefixSet.empty()
  for (const part of parts) {
    union = union.union(PrefixSet.from(part.lists.flat()).subtract(part.revoked))
  }
  return union.toPrefixes()
}
