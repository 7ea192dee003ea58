/**
 * The fault injector of the chaos soak: at seeded random times it SIGKILLs one process of the
 * stack (Redis, a gateway, a scheduler or an agent), waits a seeded while, and starts it again on
 * the same port (Redis on the same port and AOF folder, an agent with the same id and state). It
 * tracks whether the system is whole: every process up, since when.
 */
import type { Stack, StackAgent, StackService } from '@offside/testkit'

export interface Fault {
  victim: string
  killedAt: number
  /** When the restarted process answered ready again (undefined while down, or if it never did). */
  backAt?: number
  error?: string
}

export interface Victims {
  stack: Stack
  gateways: StackService[]
  schedulers: StackService[]
  agents: Map<string, StackAgent>
  /** Starts agent `id` again (same id, token, gateways, state folder). */
  restartAgent(id: string): Promise<StackAgent>
}

export class Injector {
  readonly faults: Fault[] = []
  readonly #v: Victims
  readonly #random: () => number
  #down: string | undefined
  #wholeSince: number

  constructor(victims: Victims, random: () => number, now: number) {
    this.#v = victims
    this.#random = random
    this.#wholeSince = now
  }

  /** The instant since which every process is up; undefined while one is down. */
  wholeSince(): number | undefined {
    return this.#down === undefined ? this.#wholeSince : undefined
  }

  /** Which process is down now (at most one at a time). */
  down(): string | undefined {
    return this.#down
  }

  #names(): string[] {
    const v = this.#v
    return [
      ...(v.stack.redisServer ? ['redis'] : []),
      ...v.gateways.map((_, i) => `gateway-${i + 1}`),
      ...v.schedulers.map((_, i) => `scheduler-${i + 1}`),
      ...[...v.agents.keys()].map((id) => `agent:${id}`),
    ]
  }

  /** Kills one seeded-random process, keeps it down `downMs`, and brings it back. */
  async strike(downMs: number): Promise<Fault> {
    const names = this.#names()
    const victim = names[Math.floor(this.#random() * names.length)] ?? 'redis'
    const fault: Fault = { victim, killedAt: Date.now() }
    this.faults.push(fault)
    this.#down = victim
    try {
      await this.#kill(victim)
      await new Promise((resolve) => setTimeout(resolve, downMs))
      await this.#restart(victim)
      fault.backAt = Date.now()
    } catch (err) {
      fault.error = err instanceof Error ? err.message : String(err)
      throw err
    } finally {
      this.#wholeSince = Date.now()
      this.#down = undefined
    }
    return fault
  }

  async #kill(victim: string): Promise<void> {
    const v = this.#v
    if (victim === 'redis') return v.stack.redisServer?.kill()
    const [kind, which] = victim.split(/[-:](.*)/s)
    if (kind === 'gateway') return v.gateways[Number(which) - 1]?.kill()
    if (kind === 'scheduler') return v.schedulers[Number(which) - 1]?.kill()
    return v.agents.get(which ?? '')?.kill()
  }

  async #restart(victim: string): Promise<void> {
    const v = this.#v
    if (victim === 'redis') return v.stack.redisServer?.restart()
    const [kind, which] = victim.split(/[-:](.*)/s)
    if (kind === 'agent') {
      v.agents.set(which ?? '', await v.restartAgent(which ?? ''))
      return
    }
    const list = kind === 'gateway' ? v.gateways : v.schedulers
    const index = Number(which) - 1
    const old = list[index]
    if (!old) return
    list[index] = await v.stack.start(kind as 'gateway' | 'scheduler', { name: old.name, port: old.port })
  }
}
