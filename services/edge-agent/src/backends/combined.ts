import type { EnforcementGroup, GroupOp } from '@offside/core'
import type { ApplyReport, Backend } from './types.js'

/**
 * One agent, two planes: an address backend (nftables, FlowSpec, dry-run) and a DNS backend
 * (rpz) fed the same groups. Each call goes to both; the report takes prefixes from the first and
 * names from the second. The name stays the address backend's, as the agent announces it.
 */
export class CombinedBackend implements Backend {
  readonly name: Backend['name']
  readonly parts: readonly [Backend, Backend]

  constructor(
    readonly addresses: Backend,
    readonly names: Backend,
  ) {
    this.name = addresses.name
    this.parts = [addresses, names]
  }

  /** The address device's limit: names do not count against it. */
  get capacity(): number | undefined {
    return this.addresses.capacity
  }

  async reconcile(groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    return merge(await this.addresses.reconcile(groups, now), await this.names.reconcile(groups, now))
  }

  async apply(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    return merge(await this.addresses.apply(ops, groups, now), await this.names.apply(ops, groups, now))
  }

  async tick(now: number): Promise<void> {
    await this.addresses.tick(now)
    await this.names.tick(now)
  }

  async close(): Promise<void> {
    await Promise.all([this.addresses.close(), this.names.close()])
  }
}

function merge(addresses: ApplyReport, names: ApplyReport): ApplyReport {
  return {
    enforced: addresses.enforced,
    staged: addresses.staged,
    notFitting: addresses.notFitting,
    enforcedNames: names.enforcedNames ?? 0,
    stagedNames: names.stagedNames ?? 0,
  }
}

/**
 * The backends an agent runs, by name (`nftables`, `rpz`), for its hello and /status; looks
 * through a wrapper that keeps its device as `inner` (the safety net).
 */
export function backendNames(backend: Backend): string[] {
  if (backend instanceof CombinedBackend) return backend.parts.map((part) => part.name)
  const inner = (backend as { inner?: Backend }).inner
  return inner ? backendNames(inner) : [backend.name]
}
