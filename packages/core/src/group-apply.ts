/**
 * Applies a revision's operations to the groups a receiver holds (the agent and its state
 * journal, the store's snapshot compaction, the scheduler's view of what it published):
 * `applyGroupOps(previous, diffGroups(previous, next))` equals `next`.
 */
import { LOCAL_PATCH_MAX, patchPrefixes } from './cover-patch.js'
import type { EnforcementGroup, GroupOp } from './groups.js'
import { lowerBound } from './sorted.js'

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

/**
 * `(names − remove) ∪ add`, sorted ascending without duplicates, as a group's `names` is kept. A
 * small patch edits a copy of the sorted list in place (binary search): rebuilding and sorting a
 * 100k-name set cost ~100 ms of every hot addition.
 */
function patchNames(names: readonly string[], remove: readonly string[], add: readonly string[]): string[] {
  if (remove.length + add.length <= LOCAL_PATCH_MAX) {
    const list = [...names]
    for (const name of remove) {
      const at = lowerBound(list, name)
      if (list[at] === name) list.splice(at, 1)
    }
    for (const name of add) {
      const at = lowerBound(list, name)
      if (list[at] !== name) list.splice(at, 0, name)
    }
    return list
  }
  const result = new Set(names)
  for (const name of remove) result.delete(name)
  for (const name of add) result.add(name)
  return [...result].sort()
}
