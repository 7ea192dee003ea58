/**
 * What the chaos soak knows it asked for, and the rules an agent's enforcement is judged by
 * (docs/faults.md). Pure: instants come in, nothing here reads the clock or the network.
 *
 * The model is a *permission*: it says when a target MAY be enforced. Anything that grants
 * (a list upload or hot addition, a window extended, an order resumed) counts from the moment it
 * was asked for, answered or not, since a request cut off by a fault may still have been applied.
 * Anything that takes away (an upheld complaint, a target dropped from the list, a suspension)
 * counts only once answered 2xx, and obliges an agent only once the whole system is up again and
 * the agent has been connected since: the latency budget runs from then.
 */

export interface Bounds {
  /** The grace the services add to a window's end (OFFSIDE_GRACE_MS). */
  graceMs: number
  /** Slack for sampling: a status read spans a request; the agent's clock is the host's. */
  sampleMs: number
  /** Upheld complaint, dropped target, suspension: lifted at every connected agent within this. */
  liftBudgetMs: number
  /** An agent holds the published revision within this of it being published (or of reconnecting). */
  convergeMs: number
}

export interface WindowPlan {
  event: string
  from: number
  /** The latest end asked for (windows are only ever extended in the soak). */
  until: number
}

interface TargetState {
  prefix: string
  addedAt: number
  /** When a revocation (complaint upheld, or dropped from the list) was answered 2xx. */
  removedAt?: number
}

export interface Violation {
  at: number
  agent: string
  rule: 'outside-window' | 'before-added' | 'not-lifted' | 'suspended' | 'not-converged'
  detail: string
}

/** A status read: taken somewhere in [t0, t1]. */
export interface Sample {
  agent: string
  t0: number
  t1: number
  prefixes: string[]
  revision: number
  /** The instant since which the system is whole and this agent connected; undefined: not now. */
  obligedSince: number | undefined
}

export class SoakModel {
  readonly #bounds: Bounds
  readonly #targets = new Map<string, TargetState>()
  readonly #windows = new Map<string, WindowPlan>()
  /** [suspendedAt (answered), resumeAskedAt or open] */
  readonly #suspensions: { from: number; to?: number }[] = []
  /** Published revisions and when the checker first saw each. */
  readonly #published: { revision: number; seenAt: number }[] = []
  checks = 0
  readonly violations: Violation[] = []

  constructor(bounds: Bounds) {
    this.#bounds = bounds
  }

  /** A target asked to be listed at `at` (upload or hot addition), whatever the answer. */
  added(prefix: string, at: number): void {
    if (!this.#targets.has(prefix)) this.#targets.set(prefix, { prefix, addedAt: at })
  }

  /** A target's revocation (complaint upheld, or dropped from the list) answered 2xx at `at`. */
  removed(prefix: string, at: number): void {
    const target = this.#targets.get(prefix)
    if (target && target.removedAt === undefined) target.removedAt = at
  }

  /** Targets listed and not revoked: candidates for complaints and drops. */
  listed(): string[] {
    return [...this.#targets.values()].filter((t) => t.removedAt === undefined).map((t) => t.prefix)
  }

  window(plan: WindowPlan): void {
    const known = this.#windows.get(plan.event)
    this.#windows.set(plan.event, known ? { ...known, until: Math.max(known.until, plan.until) } : plan)
  }

  windows(): WindowPlan[] {
    return [...this.#windows.values()]
  }

  suspended(at: number): void {
    this.#suspensions.push({ from: at })
  }

  resumeAsked(at: number): void {
    const open = this.#suspensions.at(-1)
    if (open && open.to === undefined) open.to = at
  }

  isSuspended(): boolean {
    const last = this.#suspensions.at(-1)
    return last !== undefined && last.to === undefined
  }

  published(revision: number, seenAt: number): void {
    const last = this.#published.at(-1)
    if (!last || revision > last.revision) this.#published.push({ revision, seenAt })
  }

  /** Judges one status read of one agent; returns the violations it found (also kept). */
  check(sample: Sample): Violation[] {
    const { graceMs, sampleMs, liftBudgetMs, convergeMs } = this.#bounds
    const found: Violation[] = []
    const flag = (rule: Violation['rule'], detail: string) =>
      found.push({ at: sample.t0, agent: sample.agent, rule, detail })
    // The instant from which a removal at `at` must show: budget after the later of it and the
    // agent's obligation start; never while the system is not whole or the agent not connected.
    const liftedBy = (at: number) =>
      sample.obligedSince === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(at, sample.obligedSince) + liftBudgetMs
    for (const prefix of sample.prefixes.flatMap(addressesOf)) {
      this.checks++
      const target = this.#targets.get(prefix)
      if (!target) {
        flag('before-added', `${prefix} was never listed`)
        continue
      }
      if (sample.t1 + sampleMs < target.addedAt)
        flag('before-added', `${prefix} enforced before it was listed`)
      const inWindow = [...this.#windows.values()].some(
        (w) => w.from <= sample.t1 + sampleMs && sample.t0 - sampleMs <= w.until + graceMs,
      )
      if (!inWindow) flag('outside-window', `${prefix} enforced outside every [from, until + ${graceMs} ms]`)
      if (target.removedAt !== undefined && liftedBy(target.removedAt) < sample.t0)
        flag('not-lifted', `${prefix} revoked at ${iso(target.removedAt)} still enforced`)
      for (const s of this.#suspensions) {
        if (liftedBy(s.from) < sample.t0 && (s.to === undefined || sample.t1 < s.to))
          flag('suspended', `${prefix} enforced while the order is suspended since ${iso(s.from)}`)
      }
    }
    // Convergence: the latest revision whose bound has passed must be held.
    this.checks++
    const due =
      sample.obligedSince === undefined
        ? undefined
        : this.#published
            .filter((p) => Math.max(p.seenAt, sample.obligedSince ?? 0) + convergeMs < sample.t0)
            .at(-1)
    if (due && sample.revision < due.revision)
      flag('not-converged', `at revision ${sample.revision}, ${due.revision} published at ${iso(due.seenAt)}`)
    this.violations.push(...found)
    return found
  }
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The /32s an enforced IPv4 prefix covers: agents hold the minimal cover, so two adjacent listed
 * addresses show as one /31. Prefixes broader than /22 (never listed here) come back as they are.
 */
export function addressesOf(prefix: string): string[] {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix)
  const length = Number(match?.[5])
  if (!match || length < 22 || length > 32) return [prefix]
  const base = match.slice(1, 5).reduce((n, octet) => n * 256 + Number(octet), 0)
  return Array.from({ length: 2 ** (32 - length) }, (_, i) => {
    const n = base + i
    return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')}/32`
  })
}
