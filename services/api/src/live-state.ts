import {
  computeEffectiveState,
  type EnforcedEntry,
  type EventWindow,
  RangeIndex,
  type StateInputs,
} from '@offside/core'
import { type Db, loadStateInputs, stateGeneration } from '@offside/store'

const iso = (ms: number) => new Date(ms).toISOString()

export function windowView(window: EventWindow) {
  return { ...window, opensAt: iso(window.opensAt), closesAt: iso(window.closesAt) }
}

export function entryView(entry: EnforcedEntry) {
  return { prefix: entry.prefix, until: iso(entry.until), provenance: entry.provenance }
}

/** What is enforced at one instant (SPEC rule 4), and a fast way to find the entries touching a prefix. */
export interface LiveState {
  inputs: StateInputs
  live: EventWindow[]
  entries: EnforcedEntry[]
  /** Enforced entries overlapping `prefix` (canonical CIDR), in O(log n). */
  touching(prefix: string): EnforcedEntry[]
}

/** Inputs are reloaded at least this often even when nothing was written (the set of weeks loaded moves with time). */
const INPUTS_MAX_AGE_MS = 60_000
/** A computed state is reused this long: windows open and close on time to within this much in /v1/state. */
const STATE_MAX_AGE_MS = 1_000

/**
 * Computes the live state with core from the stored inputs, caching both between writes: the
 * store bumps a generation counter on every write to an input, so a cached copy is reused only
 * while the generation is unchanged (any API process's write is seen at once), and the computed
 * state for at most a second. A 200k-entry list then costs one GET per read instead of a full
 * reload, which keeps /v1/state and the public look-up cheap.
 */
export function createLiveState(db: Db, graceMs: number) {
  let inputsCache: { generation: number; loadedAt: number; inputs: StateInputs } | null = null
  let stateCache: { generation: number; computedAt: number; state: LiveState } | null = null
  let loading: Promise<{ generation: number; loadedAt: number; inputs: StateInputs }> | null = null

  async function inputsAt(now: number, generation: number) {
    if (
      inputsCache &&
      inputsCache.generation === generation &&
      now - inputsCache.loadedAt < INPUTS_MAX_AGE_MS
    ) {
      return inputsCache
    }
    // Concurrent readers share one load.
    loading ??= loadStateInputs(db, now, { graceMs })
      .then((inputs) => ({ generation, loadedAt: now, inputs }))
      .finally(() => {
        loading = null
      })
    inputsCache = await loading
    return inputsCache
  }

  return async function liveState(now: number): Promise<LiveState> {
    const generation = await stateGeneration(db)
    if (
      stateCache &&
      stateCache.generation === generation &&
      Math.abs(now - stateCache.computedAt) < STATE_MAX_AGE_MS
    ) {
      return stateCache.state
    }
    const loaded = await inputsAt(now, generation)
    const inputs = { ...loaded.inputs, now }
    const { live, entries } = computeEffectiveState(inputs)
    let index: RangeIndex<EnforcedEntry> | null = null
    const state: LiveState = {
      inputs,
      live,
      entries,
      touching(prefix) {
        index ??= new RangeIndex(entries.map((entry) => ({ prefix: entry.prefix, value: entry })))
        return index.overlapping(prefix)
      },
    }
    stateCache = { generation: loaded.generation, computedAt: now, state }
    return state
  }
}
