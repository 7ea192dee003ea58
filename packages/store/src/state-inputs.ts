import {
  type Competition,
  createSuffixMatcher,
  defaultGuardConfig,
  isNameText,
  isoWeekKey,
  type MatchEvent,
  type Order,
  PrefixSet,
  type ProtectedRange,
  type ProtectedSuffix,
  previousWeek,
  type Revocation,
  type StateInputs,
  type WeeklyList,
} from '@offside/core'
import type { Db } from './keys.js'
import type { ListExtra, ListSummary } from './lists.js'

/**
 * A number that changes whenever anything `loadStateInputs` reads is written through this package,
 * so a reader may keep loaded inputs until it changes. Read it before loading the inputs.
 */
export async function stateGeneration(db: Db): Promise<number> {
  return Number((await db.redis.get(db.keys.stateGeneration)) ?? 0)
}

/** How long after a window closes its entries stay enforced, by default (SPEC rule 5 "small grace"). */
export const DEFAULT_GRACE_MS = 60_000

/** Lists of weeks whose events kicked off this long ago are still loaded (a window may run late). */
const LOOKBACK_MS = 8 * 24 * 3600_000
/** …and lists of weeks with events kicking off up to this far ahead (staging horizon and then some). */
const LOOKAHEAD_MS = 8 * 24 * 3600_000

function parseAll<T>(values: string[] | null | undefined): T[] {
  return (values ?? []).map((raw) => JSON.parse(raw) as T)
}

/**
 * Everything `computeEffectiveState` and `computeGroups` need at `now`, read with two pipelined
 * round trips: first the calendar, orders, revocations, protected ranges and the list index; then
 * the lists of the weeks that events around `now` use, as canonical prefixes and names.
 *
 * A list's prefixes (names) are its uploaded accepted entries plus hot additions, minus anything a
 * protected range (suffix) now covers (SPEC rule 13: the guard applies retroactively at read
 * time), plus the entries ops approved by hand.
 */
export async function loadStateInputs(
  db: Db,
  now: number,
  options: { graceMs?: number; cache?: ListCache } = {},
): Promise<StateInputs> {
  const { keys } = db
  const first = await db.redis
    .pipeline()
    .hvals(keys.competitions)
    .hvals(keys.events)
    .hvals(keys.orders)
    .hvals(keys.revocations)
    .get(keys.protectedRanges)
    .smembers(keys.listIndex)
    .get(keys.protectedSuffixes)
    .smembers(keys.withdrawn)
    .exec()
  if (!first) throw new Error('loading state inputs: pipeline was discarded')
  for (const [err] of first) if (err) throw err
  const value = (index: number) => first[index]?.[1]
  const competitions = parseAll<Competition>(value(0) as string[])
  const events = parseAll<MatchEvent>(value(1) as string[])
  const orders = parseAll<Order>(value(2) as string[]).map(
    ({ id, rightsholder, competitions, season, reference, suspended, allowWildcards }): Order => ({
      id,
      rightsholder,
      competitions,
      season,
      reference,
      suspended,
      ...(allowWildcards ? { allowWildcards } : {}),
    }),
  )
  const revocations = parseAll<Revocation>(value(3) as string[]).map(
    ({ prefix, name, order }): Revocation => ({
      ...(prefix !== undefined ? { prefix } : { name: name ?? '' }),
      ...(order ? { order } : {}),
    }),
  )
  const protectedRaw = value(4) as string | null
  const protectedRanges = protectedRaw
    ? (JSON.parse(protectedRaw) as ProtectedRange[])
    : defaultGuardConfig.protectedRanges
  const listIndex = new Set(value(5) as string[])
  const suffixesRaw = value(6) as string | null
  const protectedSuffixes = suffixesRaw
    ? (JSON.parse(suffixesRaw) as ProtectedSuffix[])
    : defaultGuardConfig.protectedSuffixes

  const zones = new Map(competitions.map((competition) => [competition.id, competition.timeZone]))
  const weeks = new Set<string>()
  for (const event of events) {
    if (event.kickoff < now - LOOKBACK_MS || event.kickoff > now + LOOKAHEAD_MS) continue
    const zone = zones.get(event.competition)
    if (!zone) continue
    const week = isoWeekKey(event.kickoff, zone)
    // The week before too: its list is what surveillance (SPEC rule 3) compares against.
    weeks.add(week).add(previousWeek(week))
  }
  const rightsholders = new Set(orders.map((order) => order.rightsholder))
  const wanted = [...listIndex]
    .map((member) => member.split('|') as [string, string])
    .filter(([rightsholder, week]) => rightsholders.has(rightsholder) && weeks.has(week))

  const withdrawn = new Set(value(7) as string[])
  const isProtected = protectedTest(protectedRanges, protectedSuffixes, withdrawn)
  const protectedKey = `${protectedRaw ?? ''}\u0000${suffixesRaw ?? ''}\u0000${[...withdrawn].sort().join(' ')}`
  const lists = options.cache
    ? await options.cache.load(db, wanted, isProtected, protectedKey)
    : await loadLists(db, wanted, isProtected)
  return {
    now,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    competitions,
    events,
    orders,
    lists,
    revocations,
  }
}

/**
 * Whether a listed target (canonical prefix or name) is now covered by a protected range or
 * suffix, or was withdrawn because a shared network announces it (the retroactive ASN check).
 */
type ProtectedTest = (target: string) => boolean

function protectedTest(
  ranges: ProtectedRange[],
  suffixes: ProtectedSuffix[],
  withdrawn: ReadonlySet<string>,
): ProtectedTest {
  const protectedSet = PrefixSet.from(ranges.map((range) => range.prefix))
  const reached = createSuffixMatcher(suffixes)
  return (target) =>
    isNameText(target) ? reached(target).length > 0 : protectedSet.overlaps(target) || withdrawn.has(target)
}

/** A list's targets as core wants them: prefixes, and names only when there are some. */
function weeklyList(rightsholder: string, week: string, targets: Iterable<string>): WeeklyList {
  const prefixes: string[] = []
  const names: string[] = []
  for (const target of targets) (isNameText(target) ? names : prefixes).push(target)
  return names.length > 0 ? { rightsholder, week, prefixes, names } : { rightsholder, week, prefixes }
}

/** The summaries of the wanted weekly lists that exist, in the order wanted (one round trip). */
async function readSummaries(
  db: Db,
  wanted: [string, string][],
): Promise<{ rightsholder: string; week: string; summary: ListSummary }[]> {
  const pointers = await db.redis
    .pipeline(wanted.map(([rh, week]) => ['hget', db.keys.list(rh, week), 'summary']))
    .exec()
  const present: { rightsholder: string; week: string; summary: ListSummary }[] = []
  wanted.forEach(([rightsholder, week], index) => {
    const raw = pointers?.[index]?.[1] as string | null
    if (raw) present.push({ rightsholder, week, summary: JSON.parse(raw) as ListSummary })
  })
  return present
}

async function loadLists(
  db: Db,
  wanted: [string, string][],
  isProtected: ProtectedTest,
): Promise<WeeklyList[]> {
  if (wanted.length === 0) return []
  const present = await readSummaries(db, wanted)
  const second = db.redis.pipeline()
  for (const { rightsholder, week, summary } of present) {
    if (summary.version) second.get(db.keys.listPrefixes(rightsholder, week, summary.version))
    else second.echo('')
    second.hvals(db.keys.listExtra(rightsholder, week))
  }
  const results = await second.exec()
  if (!results) throw new Error('loading weekly lists: pipeline was discarded')
  return present.map(({ rightsholder, week }, index) => {
    const uploaded = (results[index * 2]?.[1] as string | null) ?? ''
    const extras = parseAll<ListExtra>(results[index * 2 + 1]?.[1] as string[])
    const targets = new Set<string>()
    const guarded = uploaded ? uploaded.split('\n') : []
    for (const extra of extras) if (extra.source === 'hot-addition') guarded.push(extra.target)
    for (const target of guarded) if (!isProtected(target)) targets.add(target)
    for (const extra of extras) if (extra.source === 'approved') targets.add(extra.target)
    return weeklyList(rightsholder, week, targets)
  })
}

/**
 * Keeps the uploaded part of weekly lists between calls of {@link loadStateInputs}, for a process
 * that loads the inputs again after every change (the scheduler). An uploaded version is never
 * rewritten (a new upload is a new version, swapped in atomically), so it is safe to keep by
 * version and protected ranges, across processes, without watching anything: each call still
 * reads every list's current version and its hot additions and approvals, only the megabytes of
 * uploaded prefixes (and their protected-range filtering) are skipped when the version is known.
 *
 * With a cache, each list comes back as two {@link WeeklyList}s of the same rightsholder and week:
 * the uploaded prefixes and names (the same arrays while the version and protected ranges and
 * suffixes are unchanged, so a caller may cache what it derives from them by identity) and the
 * extras, which add up in core.
 */
export class ListCache {
  #uploaded = new Map<string, WeeklyList>()

  /** Reads the wanted lists, the uploaded parts from Redis only when their version is new. */
  async load(
    db: Db,
    wanted: [string, string][],
    isProtected: ProtectedTest,
    protectedKey: string,
  ): Promise<WeeklyList[]> {
    if (wanted.length === 0) return []
    const second = db.redis.pipeline()
    const present: { rightsholder: string; week: string; key: string; known?: WeeklyList }[] = []
    for (const { rightsholder, week, summary } of await readSummaries(db, wanted)) {
      const key = JSON.stringify([rightsholder, week, summary.version ?? '', protectedKey])
      const known = this.#uploaded.get(key)
      present.push({ rightsholder, week, key, ...(known ? { known } : {}) })
      if (known || !summary.version) second.echo('')
      else second.get(db.keys.listPrefixes(rightsholder, week, summary.version))
      second.hvals(db.keys.listExtra(rightsholder, week))
    }
    const results = await second.exec()
    if (!results) throw new Error('loading weekly lists: pipeline was discarded')
    const kept = new Map<string, WeeklyList>()
    const lists: WeeklyList[] = []
    present.forEach(({ rightsholder, week, key, known }, index) => {
      let uploaded = known
      if (!uploaded) {
        const text = (results[index * 2]?.[1] as string | null) ?? ''
        const targets = text ? text.split('\n').filter((target) => !isProtected(target)) : []
        uploaded = weeklyList(rightsholder, week, targets)
      }
      kept.set(key, uploaded)
      const extras = parseAll<ListExtra>(results[index * 2 + 1]?.[1] as string[])
      const added: string[] = []
      for (const extra of extras) {
        if (extra.source === 'approved' || !isProtected(extra.target)) added.push(extra.target)
      }
      lists.push(uploaded)
      if (added.length > 0) lists.push(weeklyList(rightsholder, week, added))
    })
    // Only the versions in use stay: an old version is never read again.
    this.#uploaded = kept
    return lists
  }
}
