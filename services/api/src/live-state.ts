import {
  computeEffectiveState,
  type EnforcedEntry,
  type EventWindow,
  eventWindow,
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

/**
 * The first instant after `now` at which a window opens or closes: the effective state cannot
 * change before it unless an input is written (which changes the generation).
 */
function nextBoundary(inputs: StateInputs, now: number, limit: number): number {
  const competitions = new Map(inputs.competitions.map((competition) => [competition.id, competition]))
  let next = limit
  for (const event of inputs.events) {
    const competition = competitions.get(event.competition)
    const window = competition ? eventWindow(event, competition) : null
    if (!window) continue
    if (window.opensAt > now && window.opensAt < next) next = window.opensAt
    if (window.closesAt > now && window.closesAt < next) next = window.closesAt
    // Entries stay enforced through the grace, so the state changes again at close + grace.
    const until = window.closesAt + inputs.graceMs
    if (until > now && until < next) next = until
  }
  return next
}

interface LoadedInputs {
  generation: number
  loadedAt: number
  inputs: StateInputs
}

/**
 * Computes the live state with core from the stored inputs, caching both between writes: the
 * store bumps a generation counter on every write to an input, so a cached copy is reused only
 * while the generation is unchanged (any API process's write is seen at once), and the computed
 * state only until the next window opens or closes. A 200k-entry state then costs one GET per
 * read instead of a reload and a recomputation, which keeps /v1/state and the public look-up cheap.
 */
export function createLiveState(db: Db, graceMs: number) {
  let inputsCache: LoadedInputs | null = null
  let stateCache: { generation: number; from: number; until: number; state: LiveState } | null = null
  let loading: Promise<LoadedInputs> | null = null

  async function inputsAt(now: number, generation: number): Promise<LoadedInputs> {
    const cached = inputsCache
    if (cached && cached.generation === generation && now - cached.loadedAt < INPUTS_MAX_AGE_MS) return cached
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
    const cached = stateCache
    if (cached && cached.generation === generation && now >= cached.from && now < cached.until) {
      return { ...cached.state, inputs: { ...cached.state.inputs, now } }
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
    const until = nextBoundary(inputs, now, loaded.loadedAt + INPUTS_MAX_AGE_MS)
    stateCache = { generation: loaded.generation, from: now, until, state }
    return state
  }
}
