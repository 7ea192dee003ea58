import { type EnforcementGroup, type GroupOp, lowerBound } from '@offside/core'
import type { ApplyReport, Backend } from '../types.js'
import type { PolicyAnswer } from './policy.js'
import { RpzZone, type ZoneTimers } from './zone.js'
import { type Endpoint, ZoneServer, type ZoneServerLog } from './zone-server.js'

export interface RpzOptions {
  /** The policy zone's name (default `rpz.offside`), as the resolver's config names it. */
  zone?: string
  /** Where the agent serves the zone (default 127.0.0.1:5353). */
  listen?: Endpoint
  /** Resolvers to NOTIFY on every change (default 127.0.0.1:53). */
  notify?: Endpoint[]
  /** Addresses allowed to read the zone (default loopback). */
  allowTransfer?: string[]
  /** What a blocked name answers (default NXDOMAIN). */
  answer?: PolicyAnswer
  /** TTL of the policy records, seconds (default 30). */
  ttl?: number
  /** SOA timers, seconds: the fail-safe bound is `expire + refresh` (docs/agent.md). */
  timers?: Partial<ZoneTimers>
  /** Time between serial bumps while nothing changes, ms (default `refresh`/2): the agent's pulse. */
  pulseMs?: number
  log?: ZoneServerLog
}

export const DEFAULT_TIMERS: ZoneTimers = { refresh: 10, retry: 5, expire: 60, minimum: 30 }

/**
 * Enforces the groups' names as a Response Policy Zone that the ISP's resolver (Unbound, BIND)
 * transfers from the agent (see docs/agent.md, "DNS backend"). A name is in the zone only while
 * one of its groups is active (`from ≤ now < until` by the agent's clock), so the zone never
 * holds an expired name; every change is a new serial, a NOTIFY and an IXFR of just that change.
 * While idle, the serial is bumped every `pulseMs`: a resolver configured with the stateless
 * expiry primary (`offside-agent rpz-expiry`) as second primary drops the policy by itself
 * `expire` seconds after the agent's last pulse when the agent dies.
 */
export class RpzBackend implements Backend {
  readonly name = 'rpz' as const
  readonly zone: RpzZone
  readonly server: ZoneServer
  readonly #pulseMs: number
  #lastPulse = 0
  #groups = new Map<string, EnforcementGroup>()
  /** How many active groups list each name; a name is in the zone while its count is above 0. */
  readonly #holders = new Map<string, number>()
  #active = new Set<string>()
  /** The next instant a group starts or ends: before it, a tick has nothing to do. */
  #nextBoundary = Number.POSITIVE_INFINITY
  #started = false

  constructor(options: RpzOptions = {}, now = Date.now()) {
    const timers = { ...DEFAULT_TIMERS, ...options.timers }
    this.zone = new RpzZone(
      {
        origin: (options.zone ?? 'rpz.offside').toLowerCase().replace(/\.$/, ''),
        answer: options.answer ?? { kind: 'nxdomain' },
        ttl: options.ttl ?? 30,
        timers,
      },
      now,
    )
    this.server = new ZoneServer({
      zone: this.zone,
      listen: options.listen ?? { host: '127.0.0.1', port: 5353 },
      notify: options.notify ?? [{ host: '127.0.0.1', port: 53 }],
      allowTransfer: options.allowTransfer ?? ['127.0.0.1', '::1'],
      log: options.log,
    })
    this.#pulseMs = options.pulseMs ?? (timers.refresh * 1000) / 2
  }

  async reconcile(groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    if (!this.#started) {
      await this.server.start()
      this.#started = true
    }
    return this.#program(groups, now, true)
  }

  async apply(ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    if (!this.#started) return this.reconcile(groups, now)
    const touched = new Map<string, GroupOp[]>()
    for (const op of ops) {
      const id = op.op === 'put' ? op.group.id : op.id
      touched.set(id, [...(touched.get(id) ?? []), op])
    }
    return this.#program(groups, now, false, touched)
  }

  async tick(now: number): Promise<void> {
    if (!this.#started) return
    if (now >= this.#nextBoundary) this.#program([...this.#groups.values()], now, false)
    // NOTIFY on a pulse too: it brings back a resolver that fell over to the expiry primary.
    else if (now - this.#lastPulse >= this.#pulseMs) this.#publish(this.zone.pulse(now), now)
  }

  async close(): Promise<void> {
    await this.server.close()
  }

  /**
   * Brings the zone to the names active at `now`. Groups that did not change (same object) and
   * whose activity did not flip cost nothing, so a hot addition into a 100k group costs the size
   * of the patch, not of the group.
   */
  #program(
    groups: EnforcementGroup[],
    now: number,
    full: boolean,
    touched?: Map<string, GroupOp[]>,
  ): ApplyReport {
    const added = new Set<string>()
    const removed = new Set<string>()
    const hold = (name: string) => {
      const count = this.#holders.get(name) ?? 0
      this.#holders.set(name, count + 1)
      if (count === 0) {
        if (!removed.delete(name)) added.add(name)
      }
    }
    const release = (name: string) => {
      const count = this.#holders.get(name) ?? 0
      if (count <= 1) {
        this.#holders.delete(name)
        if (count === 1 && !added.delete(name)) removed.add(name)
      } else this.#holders.set(name, count - 1)
    }
    const next = new Map(groups.map((group) => [group.id, group]))
    const ids = new Set([...this.#groups.keys(), ...next.keys()])
    const active = new Set<string>()
    let boundary = Number.POSITIVE_INFINITY
    for (const id of ids) {
      const before = this.#groups.get(id)
      const after = next.get(id)
      const wasActive = this.#active.has(id)
      const isActive = after !== undefined && after.from <= now && now < after.until
      if (after) {
        if (after.from > now) boundary = Math.min(boundary, after.from)
        else if (after.until > now) boundary = Math.min(boundary, after.until)
      }
      if (isActive) active.add(id)
      if (!full && before === after && wasActive === isActive && !touched?.has(id)) continue
      const patch = !full && before && after ? namePatch(touched?.get(id)) : undefined
      if (wasActive && isActive && patch && before) {
        // Only the names the patches name can have changed; `names` is sorted, so look them up.
        for (const [name, present] of patch) {
          if (present === sortedHas(before.names ?? [], name)) continue
          if (present) hold(name)
          else release(name)
        }
      } else if (wasActive && isActive && before && after) {
        const old = new Set(before.names ?? [])
        for (const name of after.names ?? []) if (!old.delete(name)) hold(name)
        for (const name of old) release(name)
      } else {
        if (wasActive && before) for (const name of before.names ?? []) release(name)
        if (isActive) for (const name of after.names ?? []) hold(name)
      }
    }
    this.#groups = next
    this.#active = active
    this.#nextBoundary = boundary
    this.#publish(this.zone.change(added, removed, now), now)
    return this.#report(now)
  }

  #publish(changed: boolean, now: number): void {
    if (!changed) return
    this.#lastPulse = now
    this.server.notifyAll()
  }

  #report(now: number): ApplyReport {
    const waiting = [...this.#groups.values()].filter((group) => group.from > now && group.names?.length)
    let stagedNames = 0
    if (waiting.length === 1) stagedNames = waiting[0]!.names!.filter((name) => !this.zone.has(name)).length
    else if (waiting.length > 1) {
      const names = new Set(waiting.flatMap((group) => group.names ?? []))
      for (const name of names) if (!this.zone.has(name)) stagedNames++
    }
    return { enforced: 0, staged: 0, notFitting: [], enforcedNames: this.zone.size, stagedNames }
  }
}

/** The names a run of patches adds (true) or removes (false); undefined if any op is not a patch. */
function namePatch(ops: GroupOp[] | undefined): Map<string, boolean> | undefined {
  if (!ops || ops.length === 0) return undefined
  const delta = new Map<string, boolean>()
  for (const op of ops) {
    if (op.op !== 'patch') return undefined
    for (const name of op.removeNames ?? []) delta.set(name, false)
    for (const name of op.addNames ?? []) delta.set(name, true)
  }
  return delta
}

function sortedHas(sorted: readonly string[], name: string): boolean {
  return sorted[lowerBound(sorted, name)] === name
}
