/**
 * A caching cover function for `computeGroups`, which the scheduler keeps per process: it keeps, per cover (week and
 * orders), the address set and the minimal cover it computed last, and the parsed set of every
 * list array it has seen (the store's `ListCache` hands back the same array while a list version is
 * unchanged). A hot addition or a revocation then costs a few linear merges of interval arrays and
 * the cover of the few regions it touched, instead of parsing and covering 100 000 prefixes again
 * (about 250 ms on a 2-core EPYC), and it also yields the patch, so the diff against the previous
 * revision needs no string sets either.
 *
 * A round is one recompute: `startRound()`, `computeGroups(inputs, horizon, cache.cover)`, then
 * `patch()` while diffing and `endRound()`.
 */
import type { CoverFunction, CoverPart } from './compute-groups.js'
import {
  type CoveredSet,
  INCREMENTAL_MAX,
  incrementalCover,
  regionCover,
  regionsOf,
} from './cover-regions.js'
import { sameEntries } from './group-diff.js'
import { PrefixSet } from './prefix-set.js'

/** How the cover of one key differs from the previous cover of that key. */
export interface CoverPatch {
  /** The previous cover: the patch holds only against it. */
  from: string[]
  to: string[]
  add: string[]
  remove: string[]
}

interface Held extends CoveredSet {
  /** The parts it was computed from: a change to them names where the set can differ. */
  parts?: CoverPart[]
}

/** Caches covers across recomputes (the scheduler keeps one per process). */
export class CoverCache {
  #sets = new WeakMap<readonly string[], { set: PrefixSet; revoked: PrefixSet; carved: PrefixSet }>()
  #held = new Map<string, Held>()
  #used = new Set<string>()
  /** Set while computing a cover when a list too large to patch from was parsed afresh. */
  #parsedLarge = false
  /** The patches of the last recompute (one per changed cover): few, compared element by element. */
  #patches: CoverPatch[] = []

  /** The cover function to hand to `computeGroups`. */
  readonly cover: CoverFunction = (key, parts) => {
    this.#used.add(key)
    const same = this.#held.get(key)
    const hint = same?.parts ? changeHint(same.parts, parts) : undefined
    if (same && hint) return this.#near(key, same, parts, hint)
    this.#parsedLarge = false
    const set = parts.reduce((union, part) => union.union(this.#setOf(part)), PrefixSet.empty())
    // A new key (an order suspended or resumed changes the orders of a week) starts from a cover
    // of the same week, which usually differs by that order's list only.
    const held = same ?? this.#sameWeek(key)
    if (held?.set.equals(set)) {
      this.#held.set(key, { ...held, parts })
      return held.cover
    }
    // A new upload replaces most of a list: finding its changes would cost more than covering it.
    const patch = held && !this.#parsedLarge ? incrementalCover(held, set) : undefined
    const cover = patch ? patch.cover : set.toPrefixes()
    this.#held.set(key, { set, cover, parts })
    if (patch && held)
      this.#patches.push({ from: held.cover, to: cover, add: patch.add, remove: patch.remove })
    return cover
  }

  /**
   * The cover when only small lists and revocations changed since the held one: the set can only
   * differ inside the regions of `hint`, so only there is it rebuilt (from each list's set cut to
   * the regions) and re-covered; a 1-entry change against 3 × 100k prefixes costs a copy of the
   * interval lists and a few binary searches instead of several linear merges.
   */
  #near(key: string, held: Held, parts: CoverPart[], hint: string[]): string[] {
    if (hint.length === 0) {
      this.#held.set(key, { ...held, parts })
      return held.cover
    }
    const regions = regionsOf(hint)
    let local = PrefixSet.empty()
    for (const part of parts) local = local.union(this.#setOf(part, regions))
    const set = held.set.subtract(regions).union(local)
    const patch = regionCover(held, regions, local)
    const cover = patch ? patch.cover : set.toPrefixes()
    this.#held.set(key, { set, cover, parts })
    if (patch && patch.cover !== held.cover)
      this.#patches.push({ from: held.cover, to: cover, add: patch.add, remove: patch.remove })
    return cover
  }

  /**
   * The patch from `previous` to `next` when the last round computed `next` from `previous`.
   * Groups hold copies of a cover, so they are compared element by element; the elements are the
   * same strings, so that costs a pointer comparison each (well under a millisecond for 100 000).
   */
  patch(previous: string[], next: string[]): { add: string[]; remove: string[] } | undefined {
    return this.#patches.find((patch) => sameEntries(patch.to, next) && sameEntries(patch.from, previous))
  }

  /** Call before a round: forgets the last round's patches. */
  startRound(): void {
    this.#patches = []
  }

  /** Call after a round: forgets the covers not asked for in it (windows closed, weeks gone by). */
  endRound(): void {
    for (const key of this.#held.keys()) if (!this.#used.has(key)) this.#held.delete(key)
    this.#used.clear()
  }

  #sameWeek(key: string): Held | undefined {
    const week = key.slice(0, key.indexOf('\u0000') + 1)
    if (!week) return undefined
    for (const [other, held] of this.#held) if (other.startsWith(week)) return held
    return undefined
  }

  /**
   * (lists − revoked) as the union of each list minus revoked, each kept while its revocations
   * stay the same; only the part inside `within` when given (a list's set is cut before the union).
   */
  #setOf(part: CoverPart, within?: PrefixSet): PrefixSet {
    let union = PrefixSet.empty()
    for (const list of part.lists) {
      let held = this.#sets.get(list)
      if (!held) {
        const set = PrefixSet.from(list)
        if (list.length > INCREMENTAL_MAX) this.#parsedLarge = true
        held = { set, revoked: PrefixSet.empty(), carved: set }
        this.#sets.set(list, held)
      }
      if (!held.revoked.equals(part.revoked)) {
        held.revoked = part.revoked
        held.carved = part.revoked.isEmpty() ? held.set : held.set.subtract(part.revoked)
      }
      const carved = within ? held.carved.intersect(within) : held.carved
      union = union.isEmpty() ? carved : union.union(carved)
    }
    return union
  }
}

/**
 * Where the union over `next` can differ from the union over `previous`: the prefixes of every
 * list that is in one and not the other, and of every revocation set that changed. Undefined when
 * the parts do not line up (orders changed) or the change is too large to be worth patching.
 */
export function changeHint(previous: CoverPart[], next: CoverPart[]): string[] | undefined {
  if (previous.length !== next.length) return undefined
  const hint: string[] = []
  for (let i = 0; i < next.length; i++) {
    const [old, now] = [previous[i]!, next[i]!]
    // Lists are compared by identity first (an unchanged upload is the same array), then the few
    // that differ by their entries: the hot additions are read afresh each time.
    const gone = old.lists.filter((list) => !now.lists.includes(list))
    const come = now.lists.filter((list) => !old.lists.includes(list))
    const size = (lists: readonly string[][]) => lists.reduce((sum, list) => sum + list.length, 0)
    if (size(gone) + size(come) > INCREMENTAL_MAX) return undefined
    const before = new Set(gone.flat())
    const after = new Set(come.flat())
    for (const entry of after) if (!before.has(entry)) hint.push(entry)
    for (const entry of before) if (!after.has(entry)) hint.push(entry)
    if (old.revoked === now.revoked || old.revoked.equals(now.revoked)) continue
    hint.push(...old.revoked.toPrefixes(), ...now.revoked.toPrefixes())
  }
  return hint.length > INCREMENTAL_MAX ? undefined : hint
}
