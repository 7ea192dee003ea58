import { computeEffectiveState, type EnforcedEntry, type EventWindow } from '@offside/core'
import { type Db, loadStateInputs, type OrderRecord } from '@offside/store'

/** What is enforced at `now`, computed from the stored inputs with core (SPEC rule 4). */
export async function liveState(db: Db, now: number, graceMs: number) {
  const inputs = await loadStateInputs(db, now, { graceMs })
  const state = computeEffectiveState(inputs)
  return { inputs, live: state.live, entries: state.entries }
}

const iso = (ms: number) => new Date(ms).toISOString()

export function windowView(window: EventWindow) {
  return { ...window, opensAt: iso(window.opensAt), closesAt: iso(window.closesAt) }
}

export function entryView(entry: EnforcedEntry) {
  return { prefix: entry.prefix, until: iso(entry.until), provenance: entry.provenance }
}

export type { OrderRecord }
