import { carveNames, RevokedNames } from './name-sets.js'
import { PrefixSet } from './prefix-set.js'
import { seasonOf } from './season.js'
import type { Order, StateInputs } from './state-inputs.js'
import type { Competition, EventWindow, MatchEvent } from './time.js'
import { eventWindow } from './window.js'

/** What one order contributes to one window: its rightsholder's list for the week, minus revocations. */
export interface WindowSource {
  order: Order
  prefixes: string[]
  names: string[]
}

const byOpening = (a: EventWindow, b: EventWindow) => a.opensAt - b.opensAt || compareText(a.event, b.event)

/** Code-unit order, the order entries and windows are listed in. */
export function compareText(a: string, b: string): number {
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
