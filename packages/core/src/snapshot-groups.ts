/**
 * How a snapshot carries groups that share a cover (docs/protocol.md §2): the windows of a match
 * day hold one cover each, so a snapshot of three windows over three 100k lists would carry the
 * same prefixes three times. A group whose prefixes and names equal an earlier group's is sent as
 * a {@link SharedGroup} naming that group instead; the receiver expands it back, sharing arrays.
 */
import { copyOf, UnknownGroupError } from './group-apply.js'
import { sameEntries } from './group-diff.js'
import type { EnforcementGroup } from './groups.js'

/** A snapshot's group holding the prefixes and names of the earlier group `source` of that snapshot. */
export interface SharedGroup {
  id: string
  event: string
  from: number
  until: number
  source: string
}

export type SnapshotGroup = EnforcementGroup | SharedGroup

export const isSharedGroup = (group: SnapshotGroup): group is SharedGroup => 'source' in group

/**
 * The groups as a snapshot carries them: each group whose prefixes and names equal an earlier
 * group's names that group as its `source` (identity first, then entry by entry). Empty groups,
 * and groups whose `names` is present but empty, are carried as they are.
 */
export function toSnapshotGroups(groups: readonly EnforcementGroup[]): SnapshotGroup[] {
  const carried: EnforcementGroup[] = []
  return groups.map((group): SnapshotGroup => {
    if (group.names?.length === 0 || (group.prefixes.length === 0 && group.names === undefined)) return group
    const source =
      carried.find((other) => other.prefixes === group.prefixes && sameNames(other, group)) ??
      carried.find((other) => sameEntries(other.prefixes, group.prefixes) && sameNames(other, group))
    if (!source) {
      carried.push(group)
      return group
    }
    return { id: group.id, event: group.event, from: group.from, until: group.until, source: source.id }
  })
}

/**
 * The groups a snapshot means: each shared group with its source's prefixes and names (the same
 * arrays). Throws {@link UnknownGroupError} for a source that is not an earlier group of the
 * snapshot (the protocol's validation refuses such a snapshot before).
 */
export function fromSnapshotGroups(groups: readonly SnapshotGroup[]): EnforcementGroup[] {
  const earlier = new Map<string, EnforcementGroup>()
  return groups.map((group) => {
    let full: EnforcementGroup
    if (isSharedGroup(group)) {
      const source = earlier.get(group.source)
      if (source === undefined) throw new UnknownGroupError(group.source, 'copy')
      full = copyOf({ op: 'copy', ...group }, source)
    } else full = group
    earlier.set(full.id, full)
    return full
  })
}

function sameNames(a: EnforcementGroup, b: EnforcementGroup): boolean {
  return sameEntries(a.names ?? [], b.names ?? [])
}
