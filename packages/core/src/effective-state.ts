/**
 * The effective state: what is enforced at an instant and why. The ideas it rests on each have
 * their own module (the inputs, their index, the window predicates, the enforcement groups) and are
 * re-exported here so that callers keep one import.
 */
import { PrefixSet } from './prefix-set.js'
import { carve, compareText, StateIndex } from './state-index.js'
import type { EnforcedEntry, EnforcedName, Provenance, StateInputs } from './state-inputs.js'
import { type EventWindow, previousWeek } from './time.js'
import { isEnforcing, isLive } from './window-predicates.js'

export * from './compute-groups.js'
export { carve, StateIndex, type WindowSource } from './state-index.js'
export * from './state-inputs.js'
export * from './window-predicates.js'

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
      for (const prefix of source.prefixes) justify(entries, prefix, until, provenance, () => ({ prefix }))
      for (const name of source.names) justify(names, name, until, provenance, () => ({ name }))
    }
  }
  return {
    live,
    entries: [...entries.values()].sort((a, b) => compareText(a.prefix, b.prefix)),
    names: [...names.values()].sort((a, b) => compareText(a.name, b.name)),
  }
}

/** Adds one window's justification to an entry: its provenance, and an `until` no earlier than the window's. */
function justify<E extends { until: number; provenance: Provenance[] }>(
  entries: Map<string, E>,
  key: string,
  until: number,
  provenance: Provenance,
  entry: () => Omit<E, 'until' | 'provenance'>,
): void {
  const held = entries.get(key)
  if (!held) entries.set(key, { ...entry(), until, provenance: [provenance] } as E)
  else {
    held.until = Math.max(held.until, until)
    held.provenance.push(provenance)
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
