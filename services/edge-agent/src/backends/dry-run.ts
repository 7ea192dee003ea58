import { activeAt, type EnforcementGroup, enforcedCount, type GroupOp } from '@offside/core'
import type { ApplyReport, Backend } from './types.js'

/** What a dry-run backend has been asked to do, for tests, the demo and the agent's status. */
export interface DryRunCounters {
  reconciles: number
  applies: number
  ops: number
  ticks: number
}

/** Where the dry-run backend reports what it would program; pino's logger fits. */
export interface DryRunLog {
  info(details: object, message: string): void
}

/**
 * Programs nothing: it remembers the groups it was given and answers which prefixes a real
 * backend would enforce at a given instant (exactly the groups with `from ≤ now < until`).
 * Tests and the demo run agents with it; it never touches the machine's network.
 */
export class DryRunBackend implements Backend {
  readonly name = 'dry-run' as const
  readonly counters: DryRunCounters = { reconciles: 0, applies: 0, ops: 0, ticks: 0 }
  #groups: EnforcementGroup[] = []
  /** The last enforced count and the active groups it was counted from (groups are never mutated). */
  #enforced: { active: EnforcementGroup[]; count: number } = { active: [], count: 0 }
  readonly #log: DryRunLog | undefined

  constructor(options: { log?: DryRunLog } = {}) {
    this.#log = options.log
  }

  async reconcile(groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    this.counters.reconciles++
    this.#groups = groups
    const report = this.report(now)
    this.#log?.info(
      { groups: groups.length, ...report },
      'dry-run: would reconcile the device to these groups',
    )
    return report
  }

  async apply(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    this.counters.applies++
    this.counters.ops += ops.length
    this.#groups = groups
    const report = this.report(now)
    this.#log?.info({ ops: ops.map(describeOp), ...report }, 'dry-run: would apply these changes')
    return report
  }

  async tick(_now: number): Promise<void> {
    this.counters.ticks++
  }

  async close(): Promise<void> {}

  /** The prefixes a real backend would enforce at `now`. */
  activePrefixes(now: number): string[] {
    return activeAt(this.#groups, now).map((entry) => entry.prefix)
  }

  /**
   * Counts of enforced and staged prefixes at `now`. Counting the merged plan of 100k prefixes on
   * every revision would delay each ack, so the count is reused while the same groups are active,
   * and a single active group (already a minimal cover) is counted by its length.
   */
  report(now: number): ApplyReport {
    let staged = 0
    const active: EnforcementGroup[] = []
    for (const group of this.#groups) {
      if (group.from > now) staged += group.prefixes.length
      else if (now < group.until) active.push(group)
    }
    return { enforced: this.#enforcedCount(active, now), staged, notFitting: [] }
  }

  #enforcedCount(active: EnforcementGroup[], now: number): number {
    const last = this.#enforced
    if (last.active.length === active.length && last.active.every((group, i) => group === active[i])) {
      return last.count
    }
    const count = enforcedCount(active, now)
    this.#enforced = { active, count }
    return count
  }
}

function describeOp(op: GroupOp): string {
  if (op.op === 'put') return `put ${op.group.id} (${op.group.prefixes.length} prefixes)`
  if (op.op === 'patch') return `patch ${op.id} +${op.add.length} -${op.remove.length}`
  if (op.op === 'copy') return `copy ${op.id} from ${op.source}`
  return `drop ${op.id}`
}
