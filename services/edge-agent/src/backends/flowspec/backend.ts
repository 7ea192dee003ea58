import { activeAt, type EnforcementGroup, type GroupOp, PrefixSet } from '@offside/core'
import { report } from '../nftables/backend.js'
import type { ApplyReport, Backend, BackendLog } from '../types.js'
import {
  announceArgs,
  type FlowspecMode,
  type GobgpTarget,
  gobgp,
  listAnnounced,
  type RtbhNextHops,
  withdrawArgs,
} from './gobgp.js'
import { capPlan, type RuleCap } from './rule-cap.js'

export type FlowspecLog = BackendLog

export interface FlowspecOptions {
  /** `flowspec` (default) or `rtbh`. */
  mode?: FlowspecMode
  /** gobgpd's gRPC API; default 127.0.0.1:50051. */
  host?: string
  port?: number
  /** The `gobgp` CLI; default `gobgp`. */
  command?: string
  /** Run `gobgp` inside this network namespace. */
  netns?: string
  /** Most routes announced at once (default 3000); see RuleCap. */
  maxRules?: number
  aggregate?: { v4: number; v6: number }
  /** RTBH next hops (default 192.0.2.1 and 100::1, the customary discard addresses). */
  nextHops?: RtbhNextHops
  /** gobgp calls run at once (each is one short gRPC call). */
  concurrency?: number
  log?: FlowspecLog
}

function canonical(prefix: string): string {
  return PrefixSet.from([prefix]).toPrefixes()[0] ?? prefix
}

/**
 * Enforces groups by programming a local gobgpd, which announces discard routes to the ISP's
 * routers. Unlike nftables, BGP has no timer on a route, so the backend itself announces a group's
 * prefixes at `from` and withdraws them at `until`: on every `tick` and on its own timer set to the
 * next boundary, so it does so even when the control plane is gone. If the agent process itself
 * stops, run gobgpd bound to it (deploy/systemd) so the BGP session, and with it every route, goes.
 */
export class FlowspecBackend implements Backend {
  readonly name = 'flowspec' as const
  /** The rule cap bounds what is announced at once, unless aggregation widens hosts to fit it. */
  get capacity(): number | undefined {
    return this.#cap.aggregate ? undefined : this.#cap.maxRules
  }
  readonly #target: GobgpTarget
  readonly #mode: FlowspecMode
  readonly #cap: RuleCap
  readonly #nextHops: RtbhNextHops
  readonly #concurrency: number
  readonly #log: FlowspecLog | undefined
  #groups: EnforcementGroup[] = []
  #announced = new Set<string>()
  #notFitting: string[] = []
  #timer: NodeJS.Timeout | undefined
  /** The next `from` or `until` after the last sync; before it a tick has nothing to do. */
  #nextBoundary = Number.NEGATIVE_INFINITY
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(options: FlowspecOptions = {}) {
    this.#target = {
      command: options.command ?? 'gobgp',
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 50051,
      netns: options.netns,
    }
    this.#mode = options.mode ?? 'flowspec'
    this.#cap = { maxRules: options.maxRules ?? 3000, aggregate: options.aggregate }
    this.#nextHops = options.nextHops ?? { v4: '192.0.2.1', v6: '100::1' }
    this.#concurrency = options.concurrency ?? 8
    this.#log = options.log
  }

  /** The routes gobgpd announces now, as this backend last left them. */
  get announced(): string[] {
    return [...this.#announced]
  }

  /** Reads what gobgpd announces (a previous run may have left routes), then makes it right. */
  reconcile(groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    return this.#serial(async () => {
      this.#announced = new Set((await listAnnounced(this.#target, this.#mode)).map(canonical))
      this.#groups = groups
      await this.#sync(now)
      return this.#report(now)
    })
  }

  apply(_ops: GroupOp[], groups: EnforcementGroup[], now: number): Promise<ApplyReport> {
    return this.#serial(async () => {
      this.#groups = groups
      await this.#sync(now)
      return this.#report(now)
    })
  }

  tick(now: number): Promise<void> {
    if (now < this.#nextBoundary) return Promise.resolve()
    return this.#serial(() => this.#sync(now))
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    await this.#queue.catch(() => undefined)
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => undefined)
    return next
  }

  #report(now: number): ApplyReport {
    return { ...report(this.#groups, now), notFitting: this.#notFitting }
  }

  /** Announces what is enforced at `now` (within the cap) and withdraws everything else. */
  async #sync(now: number): Promise<void> {
    const plan = capPlan(activeAt(this.#groups, now), this.#cap)
    if (plan.notFitting.length > 0 && plan.notFitting.length !== this.#notFitting.length) {
      this.#log?.warn(
        { notFitting: plan.notFitting.length, maxRules: this.#cap.maxRules },
        'flowspec: more prefixes enforced than the router rule cap; reporting those left out',
      )
    }
    this.#notFitting = plan.notFitting
    const wanted = new Set(plan.announce)
    const withdraw = [...this.#announced].filter((prefix) => !wanted.has(prefix))
    const announce = plan.announce.filter((prefix) => !this.#announced.has(prefix))
    // Withdraw first so the router has room for what comes next.
    await this.#each(withdraw, async (prefix) => {
      await gobgp(this.#target, withdrawArgs(prefix, this.#mode))
      this.#announced.delete(prefix)
    })
    await this.#each(announce, async (prefix) => {
      await gobgp(this.#target, announceArgs(prefix, this.#mode, this.#nextHops))
      this.#announced.add(prefix)
    })
    this.#schedule(now)
  }

  async #each(prefixes: string[], work: (prefix: string) => Promise<void>): Promise<void> {
    let next = 0
    const worker = async () => {
      while (next < prefixes.length) {
        const prefix = prefixes[next++] as string
        await work(prefix)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, prefixes.length) }, worker))
  }

  /** Arms a timer for the next `from` or `until`, so boundaries are kept without any tick. */
  #schedule(now: number): void {
    clearTimeout(this.#timer)
    if (this.#closed) return
    let next = Number.POSITIVE_INFINITY
    for (const group of this.#groups) {
      if (group.from > now) next = Math.min(next, group.from)
      else if (group.until > now) next = Math.min(next, group.until)
    }
    this.#nextBoundary = next
    if (!Number.isFinite(next)) return
    const delay = Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1)
    this.#timer = setTimeout(() => {
      this.tick(Date.now()).catch((err: unknown) => this.#log?.warn({ err }, 'flowspec: timed sync failed'))
    }, delay)
    this.#timer.unref()
  }
}

/** The factory the agent calls for `--backend flowspec`. */
export function createFlowspecBackend(options: FlowspecOptions = {}): FlowspecBackend {
  return new FlowspecBackend(options)
}
