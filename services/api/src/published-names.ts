/**
 * The names agents block at one instant, read from the published snapshot and explained by the
 * stored inputs — what published-state.ts does for prefixes. Names need no cover or range index:
 * a published name is enforced exactly as written (a wildcard as its RPZ wildcard), so matching a
 * justified name to a published one is string equality.
 */
import { type EnforcedName, type EnforcementGroup, nameBase, type Provenance } from '@offside/core'

/** One enforced name: published in an active group, explained by the stored inputs when they justify it. */
export interface StateName {
  name: string
  /** The latest `until` of the active groups holding it. */
  until: number
  events: string[]
  provenance: Provenance[]
  /** False for a name published but no longer justified (the next revision drops it). */
  justified: boolean
}

/** A name the stored inputs justify now that no active published group holds: not enforced. */
export interface PendingName {
  name: string
  until: number
  provenance: Provenance[]
}

export interface PublishedNames {
  names: StateName[]
  pendingNames: PendingName[]
  /** The enforced names that block `name` (an exact name): itself, or a wildcard above it. */
  blocking(name: string): StateName[]
  /** Enforced names equal to `pattern`, or under it when it is a wildcard: the state entries filter. */
  matching(pattern: string): StateName[]
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * Reconciles the active groups' names with the effective state's names at `now` (core
 * `computeEffectiveState(...).names`).
 */
export function publishedNames(options: {
  groups: EnforcementGroup[]
  justified: EnforcedName[]
  now: number
}): PublishedNames {
  const published = new Map<string, { events: Set<string>; until: number }>()
  for (const group of options.groups) {
    if (!(group.from <= options.now && options.now < group.until)) continue
    for (const name of group.names ?? []) {
      const seen = published.get(name)
      if (seen) {
        seen.events.add(group.event)
        seen.until = Math.max(seen.until, group.until)
      } else published.set(name, { events: new Set([group.event]), until: group.until })
    }
  }
  const names: StateName[] = []
  const pendingNames: PendingName[] = []
  const explained = new Set<string>()
  for (const entry of options.justified) {
    const hit = published.get(entry.name)
    if (!hit) {
      pendingNames.push({ name: entry.name, until: entry.until, provenance: entry.provenance })
      continue
    }
    explained.add(entry.name)
    const events = [...hit.events].sort()
    const provenance = entry.provenance.filter((p) => hit.events.has(p.event))
    names.push({ name: entry.name, until: hit.until, events, provenance, justified: provenance.length > 0 })
  }
  for (const [name, hit] of published) {
    if (explained.has(name)) continue
    names.push({ name, until: hit.until, events: [...hit.events].sort(), provenance: [], justified: false })
  }
  names.sort(byName)
  const index = new Map(names.map((entry) => [entry.name, entry]))
  return {
    names,
    pendingNames,
    blocking(name) {
      const found: StateName[] = []
      const exact = index.get(name)
      if (exact) found.push(exact)
      for (let at = name, dot = at.indexOf('.'); dot >= 0; dot = at.indexOf('.')) {
        at = at.slice(dot + 1)
        const wildcard = index.get(`*.${at}`)
        if (wildcard) found.push(wildcard)
      }
      return found
    },
    matching(pattern) {
      if (!pattern.startsWith('*.')) return this.blocking(pattern)
      const base = nameBase(pattern)
      return names.filter((entry) => entry.name === pattern || nameBase(entry.name).endsWith(`.${base}`))
    },
  }
}
