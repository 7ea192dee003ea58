/**
 * Enforcement groups (docs/architecture.md, "Enforcement model"): the prefixes one event window
 * justifies and the instants between which agents enforce them by their own clock. Groups are
 * sent ahead of time as operations; this module computes and applies those operations and says
 * what is enforced at an instant. `computeGroups` lives in effective-state.ts.
 */
import { type PlanEntry, toEnforcementPlan } from './enforcement.js'
import { diff, PrefixSet } from './prefix-set.js'

export interface EnforcementGroup {
  /** "w:<eventId>" */
  id: string
  event: string
  /** Enforced while from ≤ now < until (epoch ms). */
  from: number
  until: number
  /** Minimal cover, canonical CIDR. */
  prefixes: string[]
}

export type GroupOp =
  /** New group or full replace. */
  | { op: 'put'; group: EnforcementGroup }
  /** Hot addition, revocation, moved or extended window. */
  | { op: 'patch'; id: string; from: number; until: number; add: string[]; remove: string[] }
  /** Window cancelled or ended. */
  | { op: 'drop'; id: string }

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
    const delta = diff(PrefixSet.from(old.prefixes), PrefixSet.from(group.prefixes))
    const changed = delta.add.length + delta.remove.length
    if (changed === 0 && old.from === group.from && old.until === group.until) continue
    if (changed === 0 || changed < group.prefixes.length * PATCH_MAX_SHARE) {
      ops.push({ op: 'patch', id: group.id, from: group.from, until: group.until, ...delta })
    } else {
      ops.push({ op: 'put', group })
    }
  }
  return ops
}

/**
 * Applies operations in order. A group keeps its position; new groups are appended. Throws when a
 * patch names a group that does not exist — the receiver's state is then out of step and it
 * should ask for a snapshot.
 */
export function applyGroupOps(groups: EnforcementGroup[], ops: GroupOp[]): EnforcementGroup[] {
  const result = new Map(groups.map((group) => [group.id, group]))
  for (const op of ops) {
    if (op.op === 'drop') {
      result.delete(op.id)
    } else if (op.op === 'put') {
      result.set(op.group.id, op.group)
    } else {
      const group = result.get(op.id)
      if (group === undefined) throw new Error(`patch for unknown enforcement group ${op.id}`)
      const prefixes = PrefixSet.from(group.prefixes)
        .subtract(PrefixSet.from(op.remove))
        .union(PrefixSet.from(op.add))
        .toPrefixes()
      result.set(op.id, { ...group, from: op.from, until: op.until, prefixes })
    }
  }
  return [...result.values()]
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
