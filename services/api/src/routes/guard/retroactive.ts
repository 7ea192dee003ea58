import {
  type AsnLookup,
  createSuffixMatcher,
  displayPrefix,
  type GuardConfig,
  indexSharedAsns,
  isNameText,
  PrefixSet,
  parseTarget,
  sharedInfrastructureReasons,
} from '@offside/core'
import {
  type Db,
  type HeldEntry,
  heldId,
  holdRetroactively,
  listWeeklyLists,
  readListEntries,
} from '@offside/store'
import type { Guard } from '../../plugins/guard.js'

/**
 * Every weekly list, one at a time, with the entries the guard rules apply to (the uploaded ones
 * and the hot additions) and those ops approved by hand, which the retroactive checks leave alone.
 */
async function* guardedEntries(
  db: Db,
): AsyncGenerator<{ rightsholder: string; week: string; guarded: string[]; approved: Set<string> }> {
  for (const { rightsholder, week } of await listWeeklyLists(db)) {
    const list = await readListEntries(db, rightsholder, week)
    if (!list) continue
    const guarded = [
      ...list.uploaded,
      ...list.extras.filter((extra) => extra.source === 'hot-addition').map((extra) => extra.target),
    ]
    const approved = new Set(
      list.extras.filter((extra) => extra.source === 'approved').map((extra) => extra.target),
    )
    yield { rightsholder, week, guarded, approved }
  }
}

/**
 * SPEC rule 13: after the protected ranges change, every listed entry they now cover leaves
 * enforcement at once. The state loader already drops such entries when it reads the lists; this
 * files them in the review queue (reason protected-range) so ops see what was pulled and can
 * approve an entry by hand. Entries ops approved before are left alone.
 *
 * With `asnOf` (the IP-to-ASN database), the same check covers shared infrastructure (SPEC rule 6):
 * a listed entry that a shared network announces — listed before the ASN check existed, or before
 * the database or the shared table learnt the network — is filed the same way (reason
 * shared-infrastructure naming the ASN) and withdrawn, so the state loader drops it too.
 */
export async function holdNewlyProtected(
  db: Db,
  next: { guard: Guard; config: GuardConfig },
  now: number,
  asnOf?: AsnLookup,
): Promise<HeldEntry[]> {
  const covered = PrefixSet.from(next.config.protectedRanges.map((range) => range.prefix))
  const shared = indexSharedAsns(next.config.sharedAsns)
  if (covered.isEmpty() && !(asnOf && shared.size > 0)) return []
  const candidates: HeldEntry[] = []
  const sharedCandidates: HeldEntry[] = []
  for await (const { rightsholder, week, guarded, approved } of guardedEntries(db)) {
    for (const prefix of guarded) {
      if (approved.has(prefix) || isNameText(prefix)) continue
      if (!covered.overlaps(prefix)) {
        const reasons = sharedInfrastructureReasons(prefix, displayPrefix(prefix), asnOf, shared)
        if (reasons.length === 0) continue
        sharedCandidates.push({
          id: heldId(rightsholder, week, prefix),
          rightsholder,
          week,
          target: prefix,
          reasons,
          source: 'shared-infrastructure',
          heldAt: now,
          status: 'pending',
          ...(asnOf ? { announcedBy: asnOf(prefix) } : {}),
        })
        continue
      }
      const parsed = parseTarget(prefix)
      if (!parsed.ok) continue
      const reasons = next.guard
        .check(parsed.target, { hasCurrentOrder: true })
        .reasons.filter((reason) => reason.code === 'protected-range')
      candidates.push({
        id: heldId(rightsholder, week, prefix),
        rightsholder,
        week,
        target: prefix,
        reasons,
        source: 'protected-range',
        heldAt: now,
        status: 'pending',
      })
    }
  }
  return [
    ...(await holdRetroactively(db, candidates)),
    ...(await holdRetroactively(db, sharedCandidates, { withdraw: true })),
  ]
}

/**
 * SPEC rule 13 for names: after the protected suffixes change, every listed name at or under one
 * (a wildcard also above one) leaves enforcement at once — the state loader drops it when it reads
 * the lists — and is filed for review (reason protected-suffix). Names ops approved are left alone.
 */
export async function holdNewlyProtectedNames(
  db: Db,
  next: { guard: Guard; config: GuardConfig },
  now: number,
): Promise<HeldEntry[]> {
  if (next.config.protectedSuffixes.length === 0) return []
  const reached = createSuffixMatcher(next.config.protectedSuffixes)
  const candidates: HeldEntry[] = []
  for await (const { rightsholder, week, guarded, approved } of guardedEntries(db)) {
    for (const name of guarded.filter(isNameText)) {
      if (approved.has(name) || reached(name).length === 0) continue
      const parsed = parseTarget(name, { allowNames: true })
      if (!parsed.ok) continue
      const reasons = next.guard
        .check(parsed.target, { hasCurrentOrder: true, allowWildcards: true })
        .reasons.filter((reason) => reason.code === 'protected-suffix')
      candidates.push({
        id: heldId(rightsholder, week, name),
        rightsholder,
        week,
        target: name,
        reasons,
        source: 'protected-suffix',
        heldAt: now,
        status: 'pending',
      })
    }
  }
  return holdRetroactively(db, candidates)
}
