import {
  computeEffectiveState,
  coverOverlapping,
  type EventWindow,
  eventWindow,
  namesOverlap,
  PrefixSet,
  RangeIndex,
  type StateInputs,
} from '@offside/core'
import {
  type BreakerHold,
  currentRevision,
  type Db,
  getBreakerProposal,
  ListCache,
  loadStateInputs,
  readPendingHold,
  type Snapshot,
  SnapshotReader,
  stateGeneration,
} from '@offside/store'
import { type PendingName, publishedNames, type StateName } from './published-names.js'
import { nextGroupBoundary, type PendingEntry, publishedView, type StateEntry } from './published-state.js'
import { iso } from './views.js'

export type { PendingName, StateName } from './published-names.js'
export type { PendingEntry, StateEntry } from './published-state.js'

export function windowView(window: EventWindow) {
  return { ...window, opensAt: iso(window.opensAt), closesAt: iso(window.closesAt) }
}

/**
 * What agents enforce at one instant (SPEC rules 5, 14): the active groups of the last published
 * revision, explained by the stored inputs (SPEC rule 4), and what the inputs justify that is not
 * published (pending).
 */
export interface LiveState {
  /** The snapshot the state was read from (its revision, issuedAt, groups). */
  snapshot: Snapshot
  inputs: StateInputs
  /** Windows whose published group is active and not in its grace. */
  live: EventWindow[]
  /** Prefixes agents enforce now. */
  enforcedCount: number
  entries: StateEntry[]
  pending: PendingEntry[]
  /** Enforced entries overlapping `prefix` (canonical CIDR), in O(log n). */
  touching(prefix: string): StateEntry[]
  /** Pending entries overlapping `prefix`. */
  pendingTouching(prefix: string): PendingEntry[]
  /** Names agents block now (sorted), and names justified but not published. */
  names: StateName[]
  pendingNames: PendingName[]
  /** Enforced names that block the exact name `name`: itself, or a wildcard above it. */
  namesBlocking(name: string): StateName[]
  /** Enforced names equal to `pattern`, or under it for a wildcard. */
  namesMatching(pattern: string): StateName[]
}

/**
 * What agents enforce in and around some prefixes: the parts of a {@link LiveState} that a
 * question about those prefixes needs. `touching` and `pendingTouching` are exact for any prefix
 * overlapping them; `inputs.lists` hold only the listed prefixes overlapping them.
 */
export type LiveStateNear = Pick<
  LiveState,
  'snapshot' | 'inputs' | 'touching' | 'pendingTouching' | 'namesBlocking' | 'namesMatching'
>

/** What a question is about: prefixes (canonical CIDR) and names (or wildcards). */
export interface Near {
  prefixes?: string[]
  names?: string[]
}

/** Inputs are reloaded at least this often even when nothing was written (the set of weeks loaded moves with time). */
const INPUTS_MAX_AGE_MS = 60_000

/**
 * The stored calendar's windows by event, and the first instant after `now` at which one opens or
 * closes: the effective state cannot change before it unless an input is written (which changes
 * the generation).
 */
function calendar(inputs: StateInputs, now: number, limit: number) {
  const competitions = new Map(inputs.competitions.map((competition) => [competition.id, competition]))
  const windows = new Map<string, EventWindow>()
  let next = limit
  for (const event of inputs.events) {
    const competition = competitions.get(event.competition)
    const window = competition ? eventWindow(event, competition) : null
    if (!window) continue
    windows.set(window.event, window)
    // Entries stay enforced through the grace, so the state changes again at close + grace.
    for (const instant of [window.opensAt, window.closesAt, window.closesAt + inputs.graceMs]) {
      if (instant > now && instant < next) next = instant
    }
  }
  return { windows, next }
}

interface LoadedInputs {
  generation: number
  loadedAt: number
  inputs: StateInputs
}

/** Below this many prefixes a list is scanned for a question; above, it is indexed once per version. */
const LIST_INDEX_FROM = 4096

/**
 * The listed prefixes overlapping `asked` (canonical CIDR). An uploaded list's prefixes are the same
 * array for as long as its version is current (the store's `ListCache`), so a large one is indexed
 * once and every later question costs a look-up per asked prefix instead of a parse of every entry.
 */
function listedNear(
  indexes: WeakMap<readonly string[], RangeIndex<string>>,
  prefixes: string[],
  asked: string[],
  askedSet: PrefixSet,
): string[] {
  if (prefixes.length < LIST_INDEX_FROM) return prefixes.filter((prefix) => askedSet.overlaps(prefix))
  let index = indexes.get(prefixes)
  if (!index) {
    index = new RangeIndex(prefixes.map((prefix) => ({ prefix, value: prefix })))
    indexes.set(prefixes, index)
  }
  const found = index
  return [...new Set(asked.flatMap((prefix) => found.overlapping(prefix)))]
}

function lazyIndex<T extends { prefix: string }>(items: T[]): (prefix: string) => T[] {
  let index: RangeIndex<T> | null = null
  return (prefix) => {
    index ??= new RangeIndex(items.map((item) => ({ prefix: item.prefix, value: item })))
    return index.overlapping(prefix)
  }
}

/**
 * Reads the published state and explains it with the stored inputs, caching all three between
 * changes: the snapshot is re-read only when the revision counter moves, the inputs only when the
 * store's generation counter does (every write to an input bumps it, so any API process's write is
 * seen at once), and the reconciled state only until the next instant a group or window starts or
 * ends. A 200k-entry state then costs two GETs per read instead of a reload and a recomputation,
 * which keeps /v1/state and the public look-up cheap.
 */
export function createLiveState(db: Db, graceMs: number) {
  let inputsCache: LoadedInputs | null = null
  let snapshotCache: Snapshot | null = null
  let stateCache: {
    generation: number
    revision: number
    from: number
    until: number
    state: LiveState
  } | null = null
  let loading: Promise<LoadedInputs> | null = null
  // Uploaded list versions are immutable: a reload after a complaint or a hot addition reads only
  // the version pointers and hot additions again, not 100k entries per list (seconds under load).
  const lists = new ListCache()
  const listIndexes = new WeakMap<readonly string[], RangeIndex<string>>()

  async function inputsAt(now: number, generation: number): Promise<LoadedInputs> {
    const cached = inputsCache
    if (cached && cached.generation === generation && now - cached.loadedAt < INPUTS_MAX_AGE_MS) return cached
    // Concurrent readers share one load.
    loading ??= loadStateInputs(db, now, { graceMs, cache: lists })
      .then((inputs) => ({ generation, loadedAt: now, inputs }))
      .finally(() => {
        loading = null
      })
    inputsCache = await loading
    return inputsCache
  }

  // The groups are megabytes for a large list: read only when a revision was published, and then
  // only the revisions since the last read are applied to it.
  const snapshots = new SnapshotReader()
  async function snapshotAt(revision: number): Promise<Snapshot> {
    if (snapshotCache && snapshotCache.revision === revision) return snapshotCache
    snapshotCache = await snapshots.read(db)
    return snapshotCache
  }

  /** The reconciled state when nothing changed since it was computed; else what to compute it from. */
  async function current(now: number) {
    const [generation, revision] = await Promise.all([stateGeneration(db), currentRevision(db)])
    const cached = stateCache
    if (
      cached &&
      cached.generation === generation &&
      cached.revision === revision &&
      now >= cached.from &&
      now < cached.until
    ) {
      return { state: { ...cached.state, inputs: { ...cached.state.inputs, now } } }
    }
    const [loaded, snapshot] = await Promise.all([inputsAt(now, generation), snapshotAt(revision)])
    const inputs = { ...loaded.inputs, now }
    const { windows, next } = calendar(inputs, now, loaded.loadedAt + INPUTS_MAX_AGE_MS)
    for (const window of snapshot.live) if (!windows.has(window.event)) windows.set(window.event, window)
    return { loaded, snapshot, inputs, windows, next }
  }

  /**
   * The state around `prefixes` only, for a question about them (a complaint's revocation, the
   * public look-up of one address): right after a change, explaining every entry of three 100k
   * lists takes seconds, while the entries near a prefix are found in each large list's index
   * (built once per uploaded version) and by binary search of each published group's cover. Exact
   * because an entry's explanation depends only on the inputs that list it, and an entry
   * overlapping `prefixes` is matched only by published prefixes overlapping it or them (CIDR
   * prefixes that overlap are nested); likewise a name blocking or under one of `names` is listed
   * and published only as a pattern overlapping it.
   */
  async function liveStateNear(now: number, near: Near): Promise<LiveStateNear> {
    const found = await current(now)
    if (found.state) return found.state
    const { snapshot, windows } = found
    const prefixes = near.prefixes ?? []
    const asked = PrefixSet.from(prefixes)
    const askedNames = near.names ?? []
    const nearName = (listed: string) => askedNames.some((name) => namesOverlap(listed, name))
    const inputs = {
      ...found.inputs,
      lists: found.inputs.lists.map((list) => ({
        ...list,
        // A question about names only neither indexes nor parses the lists' prefixes, and back.
        prefixes: prefixes.length > 0 ? listedNear(listIndexes, list.prefixes, prefixes, asked) : [],
        names: askedNames.length > 0 ? (list.names ?? []).filter(nearName) : [],
      })),
    }
    const effective = computeEffectiveState(inputs)
    // A group's prefixes are a minimal cover in PrefixSet order, so each question is a binary search.
    const reach = PrefixSet.from([
      ...prefixes,
      ...effective.entries.map((entry) => entry.prefix),
    ]).toPrefixes()
    const groups = snapshot.groups.map((group) => ({
      ...group,
      prefixes: prefixes.length > 0 ? coverOverlapping(group.prefixes, reach) : [],
      ...(group.names ? { names: askedNames.length > 0 ? group.names.filter(nearName) : [] } : {}),
    }))
    const view = publishedView({ groups, justified: effective.entries, windows, now, graceMs })
    const names = publishedNames({ groups, justified: effective.names, now })
    return {
      snapshot,
      inputs,
      touching: lazyIndex(view.entries),
      pendingTouching: lazyIndex(view.pending),
      namesBlocking: (name) => names.blocking(name),
      namesMatching: (pattern) => names.matching(pattern),
    }
  }

  async function liveState(now: number): Promise<LiveState> {
    const found = await current(now)
    if (found.state) return found.state
    const { loaded, snapshot, inputs, windows, next } = found
    const effective = computeEffectiveState(inputs)
    const view = publishedView({
      groups: snapshot.groups,
      justified: effective.entries,
      windows,
      now,
      graceMs,
    })
    const names = publishedNames({ groups: snapshot.groups, justified: effective.names, now })
    const state: LiveState = {
      snapshot,
      inputs,
      ...view,
      touching: lazyIndex(view.entries),
      pendingTouching: lazyIndex(view.pending),
      names: names.names,
      pendingNames: names.pendingNames,
      namesBlocking: (name) => names.blocking(name),
      namesMatching: (pattern) => names.matching(pattern),
    }
    const until = nextGroupBoundary(snapshot.groups, now, graceMs, next)
    stateCache = { generation: loaded.generation, revision: snapshot.revision, from: now, until, state }
    return state
  }

  return { liveState, liveStateNear }
}

/** The pending circuit-breaker hold, with the address space it keeps out of publication. */
export interface PendingHold {
  hold: BreakerHold
  added: PrefixSet
}

/**
 * Reads the pending breaker hold; its proposal (megabytes for a large list) is re-read only when
 * the hold changes (a new hold, or a later recompute folded into it).
 */
export function createPendingHold(db: Db) {
  let cached: { id: string; updatedAt: number; added: PrefixSet } | null = null
  return async function pendingHold(): Promise<PendingHold | null> {
    const hold = await readPendingHold(db)
    if (hold?.status !== 'pending') return null
    if (!cached || cached.id !== hold.id || cached.updatedAt !== hold.updatedAt) {
      const proposal = await getBreakerProposal(db, hold.id)
      cached = { id: hold.id, updatedAt: hold.updatedAt, added: PrefixSet.from(proposal?.added ?? []) }
    }
    return { hold, added: cached.added }
  }
}

/** Why a pending entry is not enforced: held by the breaker, or not published yet (scheduler behind or down). */
export function pendingReason(entry: PendingEntry, hold: PendingHold | null) {
  return hold?.added.overlaps(entry.prefix)
    ? { reason: 'circuit-breaker' as const, hold: hold.hold.id }
    : { reason: 'not-published' as const }
}
