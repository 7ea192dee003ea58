/**
 * Patching a minimal cover in place: `(prefixes − remove) ∪ add` for a group's canonical cover,
 * editing the sorted list only around each changed block instead of rebuilding the whole set.
 */
import { firstAtOrAfter } from './cover-search.js'
import { type CidrInterval, formatV4Cidr, formatV6Cidr, parseCidr } from './ip-address.js'
import { PrefixSet } from './prefix-set.js'

/**
 * Below this many changed entries (prefixes here, names in group-apply.ts) a patch is applied in
 * place, each entry only around its own place; above it one linear rebuild is cheaper.
 */
export const LOCAL_PATCH_MAX = 256

/**
 * The minimal cover of `(prefixes − remove) ∪ add`, where `prefixes` is a group's canonical cover
 * (IPv4 first, ascending, as `PrefixSet.toPrefixes` gives). Rebuilding a 100k-prefix set for a
 * one-host patch would cost tens of milliseconds on every revision, so small patches edit the
 * sorted list around each changed block instead.
 */
export function patchPrefixes(prefixes: string[], remove: string[], add: string[]): string[] {
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
