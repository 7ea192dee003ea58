/**
 * Which of a delta's ops the agent can apply to the groups it holds. The agent ends groups at
 * their `until` by its own clock, possibly before the control plane's drop arrives: a patch or a
 * drop of such a group is skipped rather than failing the revision. A copy from such a group
 * cannot be skipped — the new group would be missing — so the whole delta is refused and the
 * agent asks for a snapshot (docs/protocol.md §4).
 */
import type { EnforcementGroup, GroupOp } from '@offside/core'

export type ApplicableOps =
  | { ok: true; ops: GroupOp[] }
  /** A copy named `source`, which the agent does not hold at that point of the ops. */
  | { ok: false; source: string; id: string }

export function applicableOps(groups: readonly EnforcementGroup[], ops: readonly GroupOp[]): ApplicableOps {
  const known = new Set(groups.map((group) => group.id))
  const kept: GroupOp[] = []
  for (const op of ops) {
    if (op.op === 'put') known.add(op.group.id)
    else if (op.op === 'copy') {
      if (!known.has(op.source)) return { ok: false, source: op.source, id: op.id }
      known.add(op.id)
    } else if (!known.has(op.id)) continue
    if (op.op === 'drop') known.delete(op.id)
    kept.push(op)
  }
  return { ok: true, ops: kept }
}
