/**
 * The circuit breaker at publishing time (SPEC rule 6, last bullet): before a recompute's revision
 * goes out, the address space agents would hold afterwards (every group, staged and live) is
 * compared with the space they hold now. A revision that grows it past the configured factor or
 * total is held as a whole for ops; meanwhile only the part inside the current space is published,
 * so removals (complaints upheld, orders suspended, windows cancelled) still take effect at once.
 */
import {
  changedPrefixes,
  checkCircuitBreaker,
  defaultGuardConfig,
  type EnforcementGroup,
  exactBounds,
  type GuardConfig,
  type GuardReason,
  type KnownPatch,
  moveBounds,
  PrefixSet,
  type SpaceBounds,
  surelyWithinBreaker,
} from '@offside/core'
import {
  type AddressSpace,
  type BreakerDecision,
  type Db,
  loadBreakerDecisions,
  type RevisionCause,
  readPendingHold,
  recordBreakerTrip,
  supersedeBreakerHold,
} from '@offside/store'

/** Growth factor, totals and baseline floors (core's `GuardConfig['breaker']`). */
export type BreakerConfig = GuardConfig['breaker']

/** What {@link holdEnlargement} compares. */
export interface BreakerCheck {
  /** The groups of the current snapshot: what agents hold now. */
  previous: EnforcementGroup[]
  /** The groups the recompute would publish. */
  next: EnforcementGroup[]
  cause: RevisionCause
  now: number
  /** Patches the cover cache already knows (spares comparing 100k-prefix groups as string sets). */
  known?: KnownPatch
  /**
   * Bounds of the space of each published groups array, kept by the caller between recomputes:
   * with them an ordinary change is cleared from the change alone. The breaker reads the entry of
   * `previous` and writes the one of the groups it returns.
   */
  bounds?: WeakMap<EnforcementGroup[], SpaceBounds>
}

/** The addresses (v4) and /48s (v6) one prefix covers: exact for one prefix, an upper bound for a sum. */
function sizeOf(prefix: string): { v4: number; v6: number } {
  const length = Number(prefix.slice(prefix.indexOf('/') + 1))
  if (prefix.includes(':')) return { v4: 0, v6: length >= 48 ? 1 : 2 ** (48 - length) }
  return { v4: 2 ** (32 - length), v6: 0 }
}

/**
 * True when `prefixes` cannot trip the breaker whatever the previous space: even summed with
 * overlaps they stay within the totals and within factor × the baseline floor. Spares building
 * prefix sets (hundreds of milliseconds for 100k prefixes) on every ordinary recompute.
 */
function surelyWithinLimits(prefixes: Iterable<string>, config: BreakerConfig): boolean {
  let v4 = 0
  let v6 = 0
  for (const prefix of prefixes) {
    const size = sizeOf(prefix)
    v4 += size.v4
    v6 += size.v6
  }
  const factor = config.maxGrowthFactor
  return (
    v4 <= Number(config.maxTotalV4Addresses) &&
    v6 <= Number(config.maxTotalV6Prefixes48) &&
    v4 <= Number(config.minBaselineV4Addresses) * factor &&
    v6 <= Number(config.minBaselineV6Prefixes48) * factor
  )
}

function distinctPrefixes(groups: EnforcementGroup[]): Set<string> {
  const all = new Set<string>()
  for (const group of groups) for (const prefix of group.prefixes) all.add(prefix)
  return all
}

function distinctNames(groups: EnforcementGroup[]): Set<string> {
  const all = new Set<string>()
  for (const group of groups) for (const name of group.names ?? []) all.add(name)
  return all
}

/** Each group with only the names `keep` allows (the published ones and approved growth while held). */
function namesWithin(groups: EnforcementGroup[], keep: (name: string) => boolean): EnforcementGroup[] {
  return groups.map((group) => {
    if (!group.names?.some((name) => !keep(name))) return group
    const names = group.names.filter(keep)
    const { names: _dropped, ...rest } = group
    return names.length > 0 ? { ...rest, names } : rest
  })
}

function spaceOf(set: PrefixSet): AddressSpace {
  return { v4Addresses: Number(set.addressCount(4)), v6Prefixes48: Number(set.blockCount(6, 48)) }
}

/** next ÷ previous on the family that grew most; null when it grew from nothing. */
function growthFactor(previous: AddressSpace, next: AddressSpace): number | null {
  let factor = 0
  for (const [before, after] of [
    [previous.v4Addresses, next.v4Addresses],
    [previous.v6Prefixes48, next.v6Prefixes48],
  ] as const) {
    if (after <= before) continue
    if (before === 0) return null
    factor = Math.max(factor, after / before)
  }
  return Math.round(factor * 100) / 100
}

/** Each group cut to the prefixes inside `space`, string-compared first, set algebra only for the rest. */
function within(groups: EnforcementGroup[], strings: Set<string>, space: PrefixSet): EnforcementGroup[] {
  return groups.map((group) => {
    const outside = group.prefixes.filter((prefix) => !strings.has(prefix))
    if (outside.length === 0) return group
    const inside = group.prefixes.filter((prefix) => strings.has(prefix))
    const partial = PrefixSet.from(outside).intersect(space)
    const prefixes = partial.isEmpty() ? inside : PrefixSet.from(inside).union(partial).toPrefixes()
    return { ...group, prefixes }
  })
}

/** Each group without the prefixes ops rejected (only those that overlap them pay for set algebra). */
function without(groups: EnforcementGroup[], rejected: PrefixSet): EnforcementGroup[] {
  if (rejected.isEmpty()) return groups
  return groups.map((group) => {
    if (!group.prefixes.some((prefix) => rejected.overlaps(prefix))) return group
    return { ...group, prefixes: PrefixSet.from(group.prefixes).subtract(rejected).toPrefixes() }
  })
}

function namesBy(decisions: BreakerDecision[], status: 'approved' | 'rejected'): Set<string> {
  return new Set(decisions.filter((d) => d.hold.status === status).flatMap((d) => d.addedNames))
}

function addedBy(decisions: BreakerDecision[], status: 'approved' | 'rejected'): PrefixSet {
  const prefixes = decisions.filter((d) => d.hold.status === status).flatMap((d) => d.added)
  return prefixes.length === 0 ? PrefixSet.empty() : PrefixSet.from(prefixes)
}

/**
 * The fast path: true when the change from `previous` to `candidate` cannot trip the breaker,
 * judged from what the groups gained and lost and the bounds of the published space (built
 * exactly once per process, then carried along). Names still take the exact path when present.
 */
function clearedByBounds(
  check: BreakerCheck,
  candidate: EnforcementGroup[],
  decisions: BreakerDecision[],
  config: BreakerConfig,
  bounds: WeakMap<EnforcementGroup[], SpaceBounds>,
): boolean {
  if (check.previous.some((group) => group.names?.length) || candidate.some((group) => group.names?.length))
    return false
  let before = bounds.get(check.previous)
  if (!before) {
    before = exactBounds(PrefixSet.from(distinctPrefixes(check.previous)))
    bounds.set(check.previous, before)
  }
  const { added, removed } = changedPrefixes(check.previous, candidate, check.known)
  const after = moveBounds(before, added, removed)
  const approved = addedBy(decisions, 'approved')
  const grownOnlyByApproved = added.every((prefix) => !approved.isEmpty() && approved.contains(prefix))
  if (added.length > 0 && !grownOnlyByApproved && !surelyWithinBreaker(before, after, config)) return false
  bounds.set(candidate, after)
  return true
}

/**
 * Returns the groups that may be published now. When the breaker trips it files (or folds into)
 * the pending hold and returns the groups cut to the space agents already hold (plus any growth
 * ops approved). Decisions are honoured until their hold lapses: approved growth is published
 * without tripping again, rejected growth stays out (and does not trip again) while the rest of
 * the state moves on.
 */
export async function holdEnlargement(
  db: Db,
  check: BreakerCheck,
  config: BreakerConfig = defaultGuardConfig.breaker,
): Promise<EnforcementGroup[]> {
  const [decisions, pending] = await Promise.all([loadBreakerDecisions(db, check.now), readPendingHold(db)])
  const settle = async (groups: EnforcementGroup[]) => {
    // The growth went away (list corrected, window cancelled, growth approved): nothing to decide.
    if (pending) await supersedeBreakerHold(db, pending.id, check.now)
    return groups
  }
  const rejected = addedBy(decisions, 'rejected')
  const rejectedNames = namesBy(decisions, 'rejected')
  const candidate = namesWithin(without(check.next, rejected), (name) => !rejectedNames.has(name))
  if (check.bounds && clearedByBounds(check, candidate, decisions, config, check.bounds))
    return settle(candidate)
  const published = distinctPrefixes(check.previous)
  const proposed = distinctPrefixes(candidate)
  const fresh = [...proposed].filter((prefix) => !published.has(prefix))
  const publishedNames = distinctNames(check.previous)
  const proposedNames = distinctNames(candidate)
  const freshNames = [...proposedNames].filter((name) => !publishedNames.has(name))
  if (fresh.length === 0 && freshNames.length === 0) return settle(candidate)

  const approved = addedBy(decisions, 'approved')
  const approvedNames = namesBy(decisions, 'approved')
  if (
    fresh.every((prefix) => !approved.isEmpty() && approved.contains(prefix)) &&
    freshNames.every((name) => approvedNames.has(name))
  )
    return settle(candidate)
  const namesSurelyWithin =
    proposedNames.size <= Math.min(config.maxTotalNames, config.minBaselineNames * config.maxGrowthFactor)
  if (surelyWithinLimits(proposed, config) && namesSurelyWithin) return settle(candidate)

  const baseline = PrefixSet.from(published).union(approved)
  const after = PrefixSet.from(proposed)
  const baselineNames = new Set([...publishedNames, ...approvedNames])
  const verdict = checkCircuitBreaker(
    baseline,
    after,
    { ...defaultGuardConfig, breaker: config },
    { before: baselineNames.size, after: proposedNames.size },
  )
  if (!verdict.tripped) {
    check.bounds?.set(candidate, exactBounds(after))
    return settle(candidate)
  }

  const previous = spaceOf(baseline)
  const next = spaceOf(after)
  await recordBreakerTrip(db, {
    now: check.now,
    cause: check.cause,
    previous,
    next,
    factor: growthFactor(previous, next),
    reason: verdict.reason as GuardReason,
    proposal: {
      groups: candidate,
      added: after.subtract(baseline).toPrefixes(),
      ...(freshNames.length > 0 ? { addedNames: freshNames.filter((name) => !approvedNames.has(name)) } : {}),
    },
  })
  return namesWithin(within(candidate, published, baseline), (name) => baselineNames.has(name))
}
