/**
 * Enforcement groups (docs/architecture.md, "Enforcement model"): the prefixes one event window
 * justifies and the instants between which agents enforce them by their own clock. Groups are
 * sent ahead of time as operations; this module computes and applies those operations and says
 * what is enforced at an instant. `computeGroups` lives in compute-groups.ts.
 */
import { type PlanEntry, toEnforcementPlan } from './enforcement.js'
import { type CidrInterval, formatV4Cidr, formatV6Cidr, parseCidr } from './ip-address.js'
import { diff, PrefixSet } from './prefix-set.js'

export interface EnforcementGroup {
  /** "w:<eventId>" */
  id: string
  event: string
  /** Enforced while from ≤ now < until (epoch ms). */
  from: number
  until: number
  /** Minimal cover, canonical CIDR, IPv4 first and ascending (as `PrefixSet.toPrefixes` gives). */
  prefixes: string[]
  /**
   * Domain names blocked at the ISP's resolver while the group is active: normalised A-labels
   * (lower case, no trailing dot), sorted ascending, no duplicates. `*.example.org` blocks every
   * name strictly under example.org (RPZ wildcard semantics), not example.org itself. Absent or
   * empty when the group blocks no name.
   */
  names?: string[]
}

export type GroupOp =
  /** New group or full replace. */
  | { op: 'put'; group: EnforcementGroup }
  /** Hot addition, revocation, moved or extended window. */
  | {
      op: 'patch'
      id: string
      from: number
      until: number
      add: string[]
      remove: string[]
      /** Names added to / removed from the group's `names`; absent means none. */
      addNames?: string[]
      removeNames?: string[]
    }
  /** Window cancelled or ended. */
  | { op: 'drop'; id: string }

/** How many entries (prefixes and names) the ops name: a put counts its whole group, a drop none. */
export function entriesOfOps(ops: readonly GroupOp[]): number {
  let entries = 0
  for (const op of ops) {
    if (op.op === 'put') entries += op.group.prefixes.length + (op.group.names?.length ?? 0)
    else if (op.op === 'patch')
      entries += op.add.length + op.remove.length + (op.addNames?.length ?? 0) + (op.removeNames?.length ?? 0)
  }
  return entries
}

/**
 * A patch is sent while its delta is smaller than this share of the group's new size;
 * beyond it a full `put` is as small and simpler for the agent.
 */
const PATCH_MAX_SHARE = 0.5

/**
 * Operations that turn `previous` into `next` (matched by id): `drop` for groups that are gone,
 * `put` for new groups or groups that changed a lot, `patch` for small changes (including a
 * moved or extended window with the same prefixes). Unchanged groups produce nothing.
 * `applyGroupOps(previous, diffGroups(previous, next))` equals `next` up to order.
 */
export function diffGroups(previous: EnforcementGroup[], next: EnforcementGroup[]): GroupOp[] {
  return diffGroupsBy(previous, next, (old, group) => {
    const delta = {
      ...diff(PrefixSet.from(old.prefixes), PrefixSet.from(group.prefixes)),
      ...diffNames(old.names ?? [], group.names ?? []),
    }
    const changed = delta.add.length + delta.remove.length + delta.addNames.length + delta.removeNames.length
    return changed === 0 ? undefined : delta
  })
}

/** What changed inside one group between two versions: its prefixes and its names. */
export interface GroupDelta {
  add: string[]
  remove: string[]
  addNames: string[]
  removeNames: string[]
}

/**
 * `diffGroups` with the comparison of two versions of one group left to `deltaOf` (undefined:
 * the same prefixes and names), so a caller that knows more about its groups — the scheduler's
 * are minimal covers, comparable as strings — compares them faster and still makes the same
 * choice between `put`, `patch` and nothing.
 */
export function diffGroupsBy(
  previous: EnforcementGroup[],
  next: EnforcementGroup[],
  deltaOf: (old: EnforcementGroup, group: EnforcementGroup) => GroupDelta | undefined,
): GroupOp[] {
  const before = new Map(previous.map((group) => [group.id, group]))
  const nextIds = new Set(next.map((group) => group.id))
  const ops: GroupOp[] = []
  for (const group of previous) if (!nextIds.has(group.id)) ops.push({ op: 'drop', id: group.id })
  for (const group of next) {
    const old = before.get(group.id)
    if (old === undefined || old.event !== group.event) {
      ops.push({ op: 'put', group })
      continue
    }
    const delta = deltaOf(old, group)
    if (delta === undefined && old.from === group.from && old.until === group.until) continue
    const { add, remove, addNames, removeNames } = delta ?? NO_DELTA
    const changed = add.length + remove.length + addNames.length + removeNames.length
    const size = group.prefixes.length + (group.names?.length ?? 0)
    if (changed === 0 || changed < size * PATCH_MAX_SHARE) {
      ops.push({
        op: 'patch',
        id: group.id,
        from: group.from,
        until: group.until,
        add,
        remove,
        ...namePatch({ addNames, removeNames }),
      })
    } else {
      ops.push({ op: 'put', group })
    }
  }
  return ops
}

const NO_DELTA: Readonly<GroupDelta> = { add: [], remove: [], addNames: [], removeNames: [] }

/**
 * Applies operations in order. A group keeps its position; new groups are appended. Throws when a
 * patch names a group that does not exist — the receiver's state is then out of step and it
 * should ask for a snapshot.
 */
export function applyGroupOps(groups: EnforcementGroup[], ops: GroupOp[]): EnforcementGroup[] {
  const result = new Map(groups.map((group) => [group.id, group]))
  // The windows of a matchday share one cover and get the same patch: patch it once, share the result.
  const patched = new Map<string[], Map<string, string[]>>()
  const patchShared = (prefixes: string[], remove: string[], add: string[]) => {
    const key = JSON.stringify([remove, add])
    const results = patched.get(prefixes) ?? new Map<string, string[]>()
    patched.set(prefixes, results)
    const next = results.get(key) ?? patchPrefixes(prefixes, remove, add)
    results.set(key, next)
    return next
  }
  for (const op of ops) {
    if (op.op === 'drop') {
      result.delete(op.id)
    } else if (op.op === 'put') {
      result.set(op.group.id, op.group)
    } else {
      const group = result.get(op.id)
      if (group === undefined) throw new Error(`patch for unknown enforcement group ${op.id}`)
      const prefixes = patchShared(group.prefixes, op.remove, op.add)
      const patched: EnforcementGroup = { ...group, from: op.from, until: op.until, prefixes }
      if (op.addNames?.length || op.removeNames?.length) {
        const names = patchNames(group.names ?? [], op.removeNames ?? [], op.addNames ?? [])
        if (names.length > 0) patched.names = names
        else delete patched.names
      }
      result.set(op.id, patched)
    }
  }
  return [...result.values()]
}

/** Names in `next` and not in `previous`, and the reverse; both inputs sorted, unique. */
export function diffNames(
  previous: readonly string[],
  next: readonly string[],
): { addNames: string[]; removeNames: string[] } {
  const before = new Set(previous)
  const after = new Set(next)
  return {
    addNames: next.filter((name) => !before.has(name)),
    removeNames: previous.filter((name) => !after.has(name)),
  }
}

/** Only the name fields a patch needs, so a patch without names carries no empty arrays. */
function namePatch(delta: { addNames: string[]; removeNames: string[] }): {
  addNames?: string[]
  removeNames?: string[]
} {
  const patch: { addNames?: string[]; removeNames?: string[] } = {}
  if (delta.addNames.length > 0) patch.addNames = delta.addNames
  if (delta.removeNames.length > 0) patch.removeNames = delta.removeNames
  return patch
}

/**
 * `(names − remove) ∪ add`, sorted ascending without duplicates, as a group's `names` is kept. A
 * small patch edits a copy of the sorted list in place (binary search): rebuilding and sorting a
 * 100k-name set cost ~100 ms of every hot addition.
 */
function patchNames(names: readonly string[], remove: readonly string[], add: readonly string[]): string[] {
  if (remove.length + add.length <= LOCAL_PATCH_MAX) {
    const list = [...names]
    for (const name of remove) {
      const at = sortedIndex(list, name)
      if (list[at] === name) list.splice(at, 1)
    }
    for (const name of add) {
      const at = sortedIndex(list, name)
      if (list[at] !== name) list.splice(at, 0, name)
    }
    return list
  }
  const result = new Set(names)
  for (const name of remove) result.delete(name)
  for (const name of add) result.add(name)
  return [...result].sort()
}

/** The first index of `list` (sorted ascending) whose entry is not below `name`. */
function sortedIndex(list: readonly string[], name: string): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (list[middle]! < name) low = middle + 1
    else high = middle
  }
  return low
}

/** The names blocked at `now`: those of the groups with from ≤ now < until, each with its latest until. */
export function activeNamesAt(groups: EnforcementGroup[], now: number): { name: string; until: number }[] {
  const untilByName = new Map<string, number>()
  for (const group of groups) {
    if (group.from > now || now >= group.until) continue
    for (const name of group.names ?? []) {
      untilByName.set(name, Math.max(untilByName.get(name) ?? 0, group.until))
    }
  }
  return [...untilByName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, until]) => ({ name, until }))
}

/**
 * Below this many changed prefixes a patch is applied in place, each prefix only around its own
 * block; above it one linear rebuild of the whole cover is cheaper.
 */
const LOCAL_PATCH_MAX = 256

/**
 * The minimal cover of `(prefixes − remove) ∪ add`, where `prefixes` is a group's canonical cover
 * (IPv4 first, ascending, as `PrefixSet.toPrefixes` gives). Rebuilding a 100k-prefix set for a
 * one-host patch would cost tens of milliseconds on every revision, so small patches edit the
 * sorted list around each changed block instead.
 */
function patchPrefixes(prefixes: string[], remove: string[], add: string[]): string[] {
  if (remove.length + add.length > LOCAL_PATCH_MAX) {
    return PrefixSet.from(prefixes).subtract(PrefixSet.from(remove)).union(PrefixSet.from(add)).toPrefixes()
  }
  if (remove.length + add.length === 0) return prefixes
  const list = [...prefixes]
  // Removing all, then adding all, equals doing it one prefix at a time in that order.
  for (const prefix of remove) patchOne(list, parseCidr(prefix), false)
  for (const prefix of add) patchOne(list, parseCidr(prefix), true)
  return list
}

/**
 * Adds or removes one block in a sorted minimal cover, in place. Works on an aligned block B
 * around the change: once the new set does not fill B, every prefix of the new cover lies inside
 * B or outside it, and outside B nothing changed, so only the entries inside B are recomputed.
 * While the new set fills B, B may merge with its sibling, so B grows to its parent.
 */
function patchOne(list: string[], change: CidrInterval, isAdd: boolean): void {
  const changed = PrefixSet.from([cidrText(change)])
  let block = change
  for (;;) {
    const first = firstAtOrAfter(list, block)
    const container = containerOf(list, first, block)
    if (container !== undefined) {
      if (isAdd) return // already covered: nothing changes
      block = container // the removal splits this entry, so recompute all of it
      continue
    }
    let end = first
    while (end < list.length && startsBefore(parseCidr(list[end]!), block)) end++
    const inside = PrefixSet.from(list.slice(first, end))
    const local = (isAdd ? inside.union(changed) : inside.subtract(changed)).toPrefixes()
    const blockText = cidrText(block)
    if (block.length > 0 && local.length === 1 && local[0] === blockText) {
      block = parentOf(block)
      continue
    }
    list.splice(first, end - first, ...local)
    return
  }
}

function cidrText(block: CidrInterval): string {
  return block.family === 4
    ? formatV4Cidr(block.start, block.length)
    : formatV6Cidr(block.start, block.length)
}

function parentOf(block: CidrInterval): CidrInterval {
  const length = block.length - 1
  if (block.family === 4) {
    const size = 2 ** (32 - length)
    const start = block.start - (block.start % size)
    return { family: 4, start, end: start + size, length }
  }
  const size = 1n << BigInt(128 - length)
  const start = block.start - (block.start % size)
  return { family: 6, start, end: start + size, length }
}

/** Whether `entry` sorts before the end of `block` (same family, starts inside or before it). */
function startsBefore(entry: CidrInterval, block: CidrInterval): boolean {
  return entry.family === block.family && entry.start < block.end
}

/** Sort order of the cover: IPv4 before IPv6, then by start. */
function compare(entry: CidrInterval, block: CidrInterval): number {
  if (entry.family !== block.family) return entry.family - block.family
  return entry.start < block.start ? -1 : entry.start > block.start ? 1 : 0
}

/** Index of the first entry whose start is at or after the block's start. */
function firstAtOrAfter(list: string[], block: CidrInterval): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (compare(parseCidr(list[middle]!), block) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/** The entry that holds all of `block` and more (blocks nest or are disjoint), if any. */
function containerOf(list: string[], first: number, block: CidrInterval): CidrInterval | undefined {
  const at = first < list.length ? parseCidr(list[first]!) : undefined
  if (at && at.family === block.family && at.start === block.start && at.length <= block.length) {
    return at.length < block.length || at.end !== block.end ? at : undefined
  }
  const before = first > 0 ? parseCidr(list[first - 1]!) : undefined
  if (before && before.family === block.family && before.end > block.start) return before
  return undefined
}

/** What is enforced at `now`: the plan of the groups with from ≤ now < until. */
export function activeAt(groups: EnforcementGroup[], now: number): PlanEntry[] {
  const entries: PlanEntry[] = []
  for (const group of groups) {
    if (group.from <= now && now < group.until) {
      for (const prefix of group.prefixes) entries.push({ prefix, until: group.until })
    }
  }
  return toEnforcementPlan(entries)
}
