import type { EnforcementGroup, GroupOp } from '@offside/core'

/** What a backend reports after programming the device; the agent forwards it in its ack. */
export interface ApplyReport {
  /** Prefixes enforced at `now` (their group has `from ≤ now < until`). */
  enforced: number
  /** Prefixes programmed ahead of time, waiting for their group's `from`. */
  staged: number
  /** Prefixes the device could not hold (table full, FlowSpec route limit); never silently dropped. */
  notFitting: string[]
  /** Names in the resolver's policy zone now (DNS backend only). */
  enforcedNames?: number
  /** Names of groups waiting for their `from` (DNS backend only). */
  stagedNames?: number
}

/**
 * One way of enforcing enforcement groups on an ISP's edge (see docs/architecture.md,
 * "Enforcement model"). A backend enforces a group exactly while `from ≤ now < until` by the
 * agent's clock, so enforcement ends at `until` even if the control plane is never heard again.
 */
export interface Backend {
  readonly name: 'nftables' | 'flowspec' | 'dry-run' | 'rpz'
  /**
   * Most prefixes the device holds at one instant, when it has a limit (FlowSpec's rule cap): the
   * default capacity budget of the agent's safety net. Absent: no limit of its own.
   */
  readonly capacity?: number
  /** Makes the device hold exactly these groups (start-up, snapshot); removes anything else it owns. */
  reconcile(groups: EnforcementGroup[], now: number): Promise<ApplyReport>
  /** Applies `ops` incrementally; `groups` is the agent's state after the ops. */
  apply(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<ApplyReport>
  /** Time-driven work (FlowSpec announces at `from`, withdraws at `until`); a no-op for nftables. */
  tick(now: number): Promise<void>
  /** Releases the backend's resources; does not remove what it enforces. */
  close(): Promise<void>
}

/** The backend names the agent's `--backend` flag accepts. */
export type BackendName = Backend['name']

/** Where a backend reports what it did; pino's logger fits. */
export interface BackendLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}
