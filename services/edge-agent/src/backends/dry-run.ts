import { activeAt, type EnforcementGroup, type GroupOp } from '@offside/core'
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

  /** Counts of enforced and staged prefixes at `now`. */
  report(now: number): ApplyReport {
    let staged = 0
    for (const group of this.#groups) if (group.from > now) staged += group.prefixes.length
    return { enforced: activeAt(this.#groups, now).length, staged, notFitting: [] }
  }
}

function describeOp(op: GroupOp): string {
  if (op.op === 'put') return `put ${op.group.id} (${op.group.prefixes.length} prefixes)`
  if (op.op === 'patch') return `patch ${op.id} +${op.add.length} -${op.remove.length}`
  return `drop ${op.id}`
}
