import type { EnforcementGroup } from './groups.js'
import { PrefixSet } from './prefix-set.js'
import { StateIndex } from './state-index.js'
import type { StateInputs } from './state-inputs.js'
import { isEnforcing, isUpcoming } from './window-predicates.js'

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
