/**
 * The operations that turn one set of enforcement groups into the next: what a revision carries
 * (docs/protocol.md). Small changes travel as patches so a hot addition to a 100k-prefix group
 * costs one entry on the wire; group-apply.ts is the inverse.
 */
import type { EnforcementGroup, GroupOp } from './groups.js'
import { diff, PrefixSet } from './prefix-set.js'

/**
 * A patch is sent while its delta is smaller than this share of the group's new size;
 * beyond it a full `put` is as small and simpler for the agent.
 */
const PATCH_MAX_SHARE = 0.5

/**
 * Operations that turn `previous` into `next` (matched by id): `drop` for groups that are gone,
 * `put` for new groups or groups that changed a lot, `copy` instead of a put whose prefixes and
 * names a group already holds at that point, `patch` for small changes (including a moved or
 * extended window with the same prefixes). Unchanged groups produce nothing.
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
 * choice between `put`, `copy`, `patch` and nothing.
 *
 * A group that would be put is copied instead from a group the receiver holds with the same
 * prefixes and names at that point of the ops — one kept unchanged or patched (puts and copies
 * come after every patch), one not yet replaced (its previous version), or one put or copied
 * earlier — so staging a new window over a
 * matchday's 300k cover costs one op, not 300k prefixes. Candidates are compared by identity
 * first (the scheduler's cover cache gives every window of one list the same arrays), then entry
 * by entry.
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
  // What the receiver holds at each point of the ops: the previous groups not dropped, each
  // replaced by its next version once its op (or its lack of one) is decided.
  const held = new Map(previous.filter((group) => nextIds.has(group.id)).map((group) => [group.id, group]))
  const put = (group: EnforcementGroup) => {
    const source = sourceFor(group, held)
    ops.push(
      source === undefined
        ? { op: 'put', group }
        : {
            op: 'copy',
            id: group.id,
            event: group.event,
            from: group.from,
            until: group.until,
            source: source.id,
          },
    )
  }
  // Puts go after the patches, so a new window over a cover patched in the same revision (a hot
  // addition as it is staged) copies the patched group instead of carrying the cover.
  const puts: EnforcementGroup[] = []
  for (const group of next) {
    const old = before.get(group.id)
    if (old === undefined || old.event !== group.event) {
      puts.push(group)
      continue
    }
    const delta = deltaOf(old, group)
    const { add, remove, addNames, removeNames } = delta ?? NO_DELTA
    const changed = add.length + remove.length + addNames.length + removeNames.length
    const size = group.prefixes.length + (group.names?.length ?? 0)
    if (changed > 0 && changed >= size * PATCH_MAX_SHARE) {
      puts.push(group)
      continue
    }
    held.set(group.id, group)
    if (delta === undefined && old.from === group.from && old.until === group.until) continue
    ops.push({
      op: 'patch',
      id: group.id,
      from: group.from,
      until: group.until,
      add,
      remove,
      ...namePatch({ addNames, removeNames }),
    })
  }
  for (const group of puts) {
    put(group)
    held.set(group.id, group)
  }
  return ops
}

/**
 * A group other than `group` among those `held` whose prefixes and names are `group`'s, or
 * undefined: identity first, then entry by entry (a mismatch usually shows in the length or the
 * first entries).
 */
function sourceFor(
  group: EnforcementGroup,
  held: ReadonlyMap<string, EnforcementGroup>,
): EnforcementGroup | undefined {
  // A put is as small; and a copy leaves out empty names, so `names: []` is put as it is.
  if (group.names?.length === 0 || (group.prefixes.length === 0 && group.names === undefined))
    return undefined
  const sameNames = (other: EnforcementGroup) => sameEntries(other.names ?? [], group.names ?? [])
  let equal: EnforcementGroup | undefined
  for (const other of held.values()) {
    if (other.id === group.id || !sameNames(other)) continue
    if (other.prefixes === group.prefixes) return other
    equal ??= sameEntries(other.prefixes, group.prefixes) ? other : undefined
  }
  return equal
}

/** True when two lists hold the same entries in the same order (covers share their strings: a pointer comparison each). */
export function sameEntries(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const NO_DELTA: Readonly<GroupDelta> = { add: [], remove: [], addNames: [], removeNames: [] }

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
