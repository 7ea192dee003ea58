/**
 * The ISP's safety net in the agent (SPEC rule 16; rules in core's safety-net.ts): a backend that
 * wraps the real one and hands it only what passes the ISP's local limits. The agent's state keeps
 * what the control plane sent (deltas patch it), while the device holds the filtered groups; the
 * ops for the device are the difference between the filtered states before and after, so a
 * refused prefix is never programmed, and one that a later revision makes acceptable is.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import {
  applySafetyNet,
  defaultSafetyNetLimits,
  diffGroups,
  type EnforcementGroup,
  type GroupOp,
  parseTarget,
  type Refusal,
  type SafetyNetLimits,
} from '@offside/core'
import type { ApplyReport, Backend } from './backends/types.js'

/** At most this many refusals travel in one ack; `refusedCount` counts them all. */
export const MAX_REFUSALS_REPORTED = 100

/** What the safety net adds to a backend's report, and so to the ack. */
export interface SafetyNetReport extends ApplyReport {
  refused: Refusal[]
  refusedCount: number
}

export class SafetyNetBackend implements Backend {
  readonly name: Backend['name']
  #safe: EnforcementGroup[] = []
  #refused: Refusal[] = []
  #refusedCount = 0
  /** Prefix lists that passed the limits (core's applySafetyNet re-checks them for capacity only). */
  readonly #cleared = new WeakSet<readonly string[]>()

  constructor(
    readonly inner: Backend,
    readonly limits: SafetyNetLimits,
  ) {
    this.name = inner.name
  }

  /** What was refused from the groups held now. */
  refusals(): { refused: Refusal[]; refusedCount: number } {
    return { refused: this.#refused, refusedCount: this.#refusedCount }
  }

  /** The groups the device holds (the agent's groups minus what was refused). */
  enforceable(): EnforcementGroup[] {
    return this.#safe
  }

  async reconcile(groups: EnforcementGroup[], now: number): Promise<SafetyNetReport> {
    const result = applySafetyNet(groups, this.limits, this.#cleared)
    const report = await this.inner.reconcile(result.groups, now)
    return this.#keep(result, report)
  }

  async apply(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<SafetyNetReport> {
    const result = applySafetyNet(groups, this.limits, this.#cleared)
    // Nothing refused before or now: the control plane's ops are the device's ops.
    const deviceOps =
      result.refusedPrefixes === 0 && this.#refusedCount === 0 ? ops : diffGroups(this.#safe, result.groups)
    const report = await this.inner.apply(deviceOps, result.groups, now)
    return this.#keep(result, report)
  }

  tick(now: number): Promise<void> {
    return this.inner.tick(now)
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  #keep(result: ReturnType<typeof applySafetyNet>, report: ApplyReport): SafetyNetReport {
    this.#safe = result.groups
    this.#refused = result.refused
    this.#refusedCount = result.refusedPrefixes
    return {
      ...report,
      refused: result.refused.slice(0, MAX_REFUSALS_REPORTED),
      refusedCount: result.refusedPrefixes,
    }
  }
}

export class SafetyNetConfigError extends Error {
  override name = 'SafetyNetConfigError'
}

/** A never-block entry: an address or prefix, canonicalised; anything else is a configuration error. */
function canonical(text: string, at: string): string {
  const parsed = parseTarget(text)
  if (!parsed.ok || parsed.target.kind !== 'prefix') {
    throw new SafetyNetConfigError(`${at}: "${text}" is not an address or prefix`)
  }
  return parsed.target.prefix
}

/**
 * The addresses of the gateways the agent talks to, which it must never block (it would cut
 * itself off from the revision that lifts the block). Host names are resolved once at start-up.
 */
export async function gatewayAddresses(urls: string[]): Promise<string[]> {
  const addresses = new Set<string>()
  for (const url of urls) {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
    if (isIP(host)) addresses.add(host)
    else for (const found of await lookup(host, { all: true })) addresses.add(found.address)
  }
  return [...addresses].map((address) => canonical(address, 'gateway'))
}

/**
 * Reads the config file's `"safetyNet"` section: `neverBlock` (addresses and prefixes),
 * `broadest` ({v4, v6} shortest lengths), `maxGroupHours`, `capacity`. The gateways' addresses
 * are added to `neverBlock`; the capacity defaults to what the backend can hold.
 */
export function safetyNetLimits(
  section: unknown,
  extra: { gateways: string[]; backendCapacity: number },
): SafetyNetLimits {
  const settings = (section ?? {}) as Record<string, unknown>
  if (typeof settings !== 'object' || Array.isArray(settings))
    throw new SafetyNetConfigError('safetyNet must be an object')
  const unknown = Object.keys(settings).filter(
    (key) => !['neverBlock', 'broadest', 'maxGroupHours', 'capacity'].includes(key),
  )
  if (unknown.length > 0) throw new SafetyNetConfigError(`safetyNet: unknown setting "${unknown[0]}"`)
  const neverBlock = settings.neverBlock ?? []
  if (!Array.isArray(neverBlock)) throw new SafetyNetConfigError('safetyNet.neverBlock must be a list')
  const broadest = (settings.broadest ?? defaultSafetyNetLimits.broadest) as { v4: unknown; v6: unknown }
  const isLength = (v: unknown, max: number) =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max
  if (!isLength(broadest.v4, 32) || !isLength(broadest.v6, 128))
    throw new SafetyNetConfigError('safetyNet.broadest must be {"v4": 0-32, "v6": 0-128}')
  const hours = settings.maxGroupHours ?? defaultSafetyNetLimits.maxGroupDurationMs / 3600_000
  if (typeof hours !== 'number' || !(hours > 0))
    throw new SafetyNetConfigError('safetyNet.maxGroupHours must be > 0')
  const capacity = settings.capacity ?? extra.backendCapacity
  if (typeof capacity !== 'number' || !(capacity >= 0))
    throw new SafetyNetConfigError('safetyNet.capacity must be a non-negative number')
  return {
    neverBlock: [
      ...neverBlock.map((entry, i) => canonical(String(entry), `safetyNet.neverBlock[${i}]`)),
      ...extra.gateways,
    ],
    broadest: { v4: broadest.v4 as number, v6: broadest.v6 as number },
    maxGroupDurationMs: hours * 3600_000,
    capacity: Math.min(capacity, extra.backendCapacity),
  }
}
